/**
 * A tiny element builder. Strings become text nodes, never markup: user text (chat, names,
 * titles) cannot inject HTML because nothing here ever assigns innerHTML.
 */
export type Child = Node | string | number | null | undefined | false

export interface Props {
  className?: string
  id?: string
  attrs?: Record<string, string | boolean | undefined>
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>
}

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (props.className) el.className = props.className
  if (props.id) el.id = props.id
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue
    el.setAttribute(name, value === true ? '' : value)
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener) el.addEventListener(type, listener)
  }
  append(el, ...children)
  return el
}

export function append (parent: Node, ...children: Child[]) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren (parent: Element, ...children: Child[]) {
  parent.replaceChildren()
  append(parent, ...children)
}

/** mm:ss (or h:mm:ss) of a position in milliseconds. */
export function formatTime (ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const s = String(total % 60).padStart(2, '0')
  const m = Math.floor(total / 60) % 60
  const hours = Math.floor(total / 3600)
  return hours > 0 ? `${hours}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
