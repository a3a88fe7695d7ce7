export * from './position.js'
export * from './clock.js'
export * from './drift.js'
export * from './transitions.js'
