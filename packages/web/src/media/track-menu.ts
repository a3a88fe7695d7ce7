import type { AttachedSource } from './attach-source.js'

/**
 * Two small selects, "Audio" and "Subtitles", for this member only. Plain DOM (no framework), so any
 * page can mount `element` where it likes; `bind` follows the currently attached item.
 */
/** The words of the menu; English unless the page passes its own (the room passes its language's). */
export interface TrackMenuWords { audio: string, subtitles: string, off: string }

export function trackMenu (words: TrackMenuWords = { audio: 'Audio', subtitles: 'Subtitles', off: 'Off' }) {
  const element = document.createElement('div')
  element.className = 'track-menu'
  element.hidden = true
  const audio = select('audio-track', words.audio)
  const subtitles = select('subtitle-track', words.subtitles)
  element.append(audio.label, subtitles.label)
  let source: AttachedSource | null = null

  const render = () => {
    if (!source) { element.hidden = true; return }
    const audioOptions = source.audioOptions()
    const subtitleOptions = source.subtitleOptions()
    fill(audio.select, audioOptions.map((o) => ({ value: o.id, text: o.label, selected: o.active })))
    fill(subtitles.select, [{ value: '', text: words.off, selected: !subtitleOptions.some((o) => o.active) },
      ...subtitleOptions.map((o) => ({ value: o.id, text: o.label, selected: o.active }))])
    audio.label.hidden = audioOptions.length < 2
    subtitles.label.hidden = subtitleOptions.length === 0
    element.hidden = audio.label.hidden && subtitles.label.hidden
  }
  audio.select.addEventListener('change', () => source?.setAudio(audio.select.value))
  subtitles.select.addEventListener('change', () => source?.setSubtitles(subtitles.select.value || null))

  return {
    element,
    bind (next: AttachedSource | null) {
      source = next
      next?.onTracksChanged(render)
      render()
    }
  }
}

function select (id: string, text: string) {
  const label = document.createElement('label')
  label.className = 'track-choice'
  const select = document.createElement('select')
  select.id = id
  label.append(`${text} `, select)
  return { label, select }
}

function fill (select: HTMLSelectElement, options: Array<{ value: string, text: string, selected: boolean }>) {
  select.replaceChildren(...options.map((o) => {
    const option = document.createElement('option')
    option.value = o.value
    option.textContent = o.text
    option.selected = o.selected
    return option
  }))
}
