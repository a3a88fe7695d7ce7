/** History-API navigation: the app registers its renderer; pages and links call navigate(). */
let renderer: () => void = () => {}

export function setRenderer (fn: () => void) { renderer = fn }

export function navigate (path: string, replace = false) {
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  renderer()
}

/** A click handler for in-app links (keeps modifier clicks opening new tabs). */
export function linkHandler (path: string) {
  return (event: Event) => {
    const e = event as MouseEvent
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(path)
  }
}
