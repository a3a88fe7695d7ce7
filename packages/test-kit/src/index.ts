export * from './stack.js'
export * from './names.js'
export * from './wait.js'
