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
  sound: 'M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z',
  fullscreen: 'M5 5h5v2H7v3H5zm9 0h5v5h-2V7h-3zM5 14h2v3h3v2H5zm12 0h2v5h-5v-2h3z',
  exitFullscreen: 'M8 5h2v5H5V8h3zm6 0h2v3h3v2h-5zM5 14h5v5H8v-3H5zm9 0h5v2h-3v3h-2z',
  chat: 'M4 4h16v12H7l-3 3z',
  keyboard: 'M3 6h18v12H3zm2 2v2h2V8zm3 0v2h2V8zm3 0v2h2V8zm3 0v2h2V8zm3 0v2h2V8zM7 14v2h10v-2z'
} as const

export type IconName = keyof typeof PATHS

export function Icon ({ name }: { name: IconName }) {
  return (
    <svg class='icon' viewBox='0 0 24 24' width='20' height='20' aria-hidden='true' focusable='false'>
      <path d={PATHS[name]} fill='currentColor' />
    </svg>
  )
}
