/** What an ingested item's folder holds (manifest.json, and the catalog's `manifest` column). */
export interface Manifest {
  version: 1
  kind: 'film' | 'track'
  durationSec: number
  /** The HLS master playlist, relative to the item's folder. */
  hls: string
  renditions: Array<{ name: string, width: number, height: number, bitrateKbps: number }>
  audioTracks: Array<{ id: string, language: string | null, label: string, default: boolean }>
  subtitles: Array<{ id: string, language: string | null, label: string, file: string }>
  poster: string | null
  /** WebVTT index of the thumbnail sprite (seek previews). */
  thumbnails: string | null
  bytes: number
}
