/**
 * The player state machine lives in @watch-together/sync-core, shared with the clients, so the
 * service and every device compute transitions and positions with the same code.
 */
export { applyCommand, currentPosition, filmState, initialState, type Transition } from '@watch-together/sync-core'
