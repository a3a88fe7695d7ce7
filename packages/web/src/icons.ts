/**
 * Player icons as inline SVG: glyphs like ▶ ⏸ depend on the fonts installed (a box on some
 * systems). Decorative (aria-hidden): every button carries its own label.
 */
const PATHS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
  previous: 'M6 6h2v12H6zm3.5 6 8.5 6V6z',
  next: 'M16 6h2v12h-2zM6 18l8.5-6L6 6z',
  back: 'M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z',
  forward: 'M12 5V1l5 5-5 5V7a6 6 0 1 0 6 6h2a8 8 0 1 1-8-8z',
  muted: 'M16.5 12 19 9.5 17.6 8 15 10.6 12.5 8 11 9.5l2.6 2.5-2.6 2.5 1.5 1.5 2.5-2.6 2.6 2.6 1.4-1.5zM3 9v6h4l5 5V4L7 9z',
  sound: 'M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z'
} as const

export type IconName = keyof typeof PATHS

export function icon (name: IconName): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('width', '20')
  svg.setAttribute('height', '20')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  svg.classList.add('icon')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', PATHS[name])
  path.setAttribute('fill', 'currentColor')
  svg.appendChild(path)
  return svg
}
