/** A message for the next page to show once (e.g. "You left the room." on the catalog); the app never reloads between pages. */
let pending = ''

export function setFlash (message: string) { pending = message }

export function takeFlash (): string {
  const message = pending
  pending = ''
  return message
}
