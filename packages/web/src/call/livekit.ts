import type * as LiveKit from 'livekit-client'

/**
 * livekit-client (~100 KiB gzip, more than the rest of the page) is loaded when someone joins a call,
 * not with the room page: most viewers never join one, and the room's budget is 150 KiB.
 */
let loaded: typeof LiveKit | undefined

export async function loadLiveKit (): Promise<typeof LiveKit> {
  loaded ??= await import('livekit-client')
  return loaded
}

/** The loaded library, for code that runs only inside a call (after loadLiveKit). */
export function livekit (): typeof LiveKit {
  if (!loaded) throw new Error('livekit-client is used before a call was joined')
  return loaded
}
