/** A message for the next page to show once (e.g. "You left the room." on the catalog); the app never reloads between pages. */
let pending = ''

/** Sets the message; with `keep`, an earlier one not yet shown stays (a more precise one was set first). */
export function setFlash (message: string, keep = false) { if (!keep || !pending) pending = message }

export function takeFlash (): string {
  const message = pending
  pending = ''
  return message
}
