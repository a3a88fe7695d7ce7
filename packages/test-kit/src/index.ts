export * from './stack.js'
export * from './names.js'
export * from './wait.js'
export * from './stack-control.js'
