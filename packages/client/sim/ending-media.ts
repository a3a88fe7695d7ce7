import { SimulatedMedia } from './simulated-media.js'

/**
 * A simulated media that, like a browser's, pauses and fires `ended` when playback reaches its
 * end (the plain SimulatedMedia just holds on the last frame). Call stop() when done.
 */
export class EndingMedia extends SimulatedMedia {
  private readonly endedListeners = new Set<() => void>()
  private readonly watcher = setInterval(() => this.checkEnd(), 20)
  /** How many times `ended` fired. */
  endedFired = 0

  override get currentTime () { return super.currentTime }
  override set currentTime (seconds: number) { this.ended = false; super.currentTime = seconds }

  override addEventListener (type: string, listener: () => void) {
    if (type === 'ended') this.endedListeners.add(listener)
    else super.addEventListener(type, listener)
  }

  override removeEventListener (type: string, listener: () => void) {
    if (type === 'ended') this.endedListeners.delete(listener)
    else super.removeEventListener(type, listener)
  }

  stop () { clearInterval(this.watcher) }

  private checkEnd () {
    if (this.paused || this.ended || this.positionMs() < this.duration * 1000) return
    this.ended = true
    this.pause()
    setTimeout(() => { this.endedFired++; for (const listener of this.endedListeners) listener() }, 0)
  }
}
