import './call.css'
import type {
  DisconnectReason, LocalTrackPublication, Participant, RemoteParticipant, RemoteTrack, RemoteTrackPublication, Room, Track
} from 'livekit-client'
import { createDucking, type Ducking } from './ducking.js'
import { type InboundStats, inboundStats } from './inbound-stats.js'
import { livekit, loadLiveKit } from './livekit.js'
import { errorText, t } from '../i18n/index.js'

/**
 * The call beside the film, framework-free: one element to mount anywhere (today's room page, a
 * component tomorrow) and a stop function. It talks to LiveKit through livekit-client and to
 * room-api only through the functions its host page hands it. It never touches the film's time,
 * rate or play state: only its volume, lowered while someone speaks (ducking).
 */
export interface CallOptions {
  /** A fresh LiveKit token for this room (room-api POST /rooms/:id/call/token). */
  token: () => Promise<{ url: string, token: string }>
  /** The film, whose volume is lowered while someone speaks. */
  film: HTMLMediaElement
  myId: string
  /** Whether this user hosts the room now (the host may mute others and remove them from the call). */
  isHost: () => boolean
  /** Host actions, through room-api (which checks the role and records them). */
  muteMember: (userId: string) => Promise<unknown>
  removeFromCall: (userId: string) => Promise<unknown>
  /** Reports this member's own mute or unmute of a track (room-api records it as LiveKit shows it). */
  reportMute: (trackSid: string, muted: boolean) => Promise<unknown>
  notify: (message: string) => void
  /** Capture size: small by default (a strip of tiles beside a film, on shared machines). */
  videoResolution?: { width: number, height: number }
}

export interface CallPanel {
  element: HTMLElement
  /** Leaves the call (if in it) and releases the devices. */
  stop: () => void
  /** What this page receives from each other member (bytes, frames decoded), for checks and measurements. */
  stats: () => Promise<Record<string, InboundStats>>
  /** Shows or hides the host-only controls after a role change. */
  refreshRole: () => void
}

type Attrs = Record<string, string | boolean | undefined>
function el<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Array<Node | string | null>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    if (name === 'className') node.className = String(value)
    else node.setAttribute(name, value === true ? '' : value)
  }
  for (const child of children) if (child !== null) node.append(child)
  return node
}
const button = (label: string, attrs: Attrs = {}) => el('button', { type: 'button', ...attrs }, label)

export function callPanel (opts: CallOptions): CallPanel {
  const resolution = opts.videoResolution ?? { width: 320, height: 180 } // livekit's VideoPresets.h180
  let room: Room | undefined
  let ducking: Ducking | undefined
  let joining = false

  // ---- the parts: join form, controls in the call, the strip of tiles, hidden audio ----
  const useMic = el('input', { type: 'checkbox', id: 'call-use-mic', checked: true })
  const useCam = el('input', { type: 'checkbox', id: 'call-use-camera', checked: true })
  const join = button(t('room.call.join'), { id: 'call-join', className: 'primary' })
  const joinForm = el('div', { className: 'call-join actions' },
    el('label', {}, useMic, ' ', t('room.call.microphone')), el('label', {}, useCam, ' ', t('room.call.camera')), join)

  const micToggle = button(t('room.call.muteMic'), { id: 'call-mic', 'aria-pressed': 'false' })
  const camToggle = button(t('room.call.cameraOff'), { id: 'call-camera', 'aria-pressed': 'false' })
  const shareToggle = button(t('room.call.share'), { id: 'call-share', 'aria-pressed': 'false' })
  const leave = button(t('room.call.leave'), { id: 'call-leave', className: 'danger' })
  const micPicker = el('select', { id: 'call-mic-device', 'aria-label': t('room.call.microphone') })
  const camPicker = el('select', { id: 'call-camera-device', 'aria-label': t('room.call.camera') })
  const duckLevel = el('input', { type: 'range', id: 'call-duck', min: '0', max: '1', step: '0.1', 'aria-label': t('room.call.duckLabel') })
  const inCall = el('div', { className: 'call-controls' },
    el('div', { className: 'actions' }, micToggle, camToggle, shareToggle, leave),
    el('div', { className: 'call-devices' }, micPicker, camPicker),
    el('label', { className: 'call-duck' }, t('room.call.duck'), ' ', duckLevel))
  inCall.hidden = true

  const strip = el('ol', { id: 'call-strip', className: 'call-strip', 'aria-label': t('room.call.people') })
  const audio = el('div', { className: 'call-audio', hidden: true })
  const status = el('p', { id: 'call-status', className: 'muted', role: 'status' }, t('room.call.notIn'))
  const element = el('section', { id: 'call', className: 'card call', 'aria-labelledby': 'call-title' },
    el('h2', { id: 'call-title' }, t('room.call.title')), status, joinForm, inCall, strip, audio)

  // ---- tiles: one per participant, one more per screen share ----
  const tiles = new Map<string, HTMLLIElement>()
  const tileKey = (p: Participant, screen: boolean) => `${p.identity}${screen ? ':screen' : ''}`
  function tileFor (p: Participant, screen = false): HTMLLIElement {
    const key = tileKey(p, screen)
    let tile = tiles.get(key)
    if (tile) return tile
    const mine = p.identity === opts.myId
    const name = (p.name || p.identity) + (mine ? t('room.members.you') : '') + (screen ? t('room.call.screenSuffix') : '')
    tile = el('li', { className: `call-tile${screen ? ' screen' : ''}`, 'data-identity': p.identity, 'data-mic': 'off', 'aria-label': name },
      el('div', { className: 'call-video' }),
      el('span', { className: 'call-name' }, name),
      el('span', { className: 'call-mic-state', 'aria-hidden': 'true' }))
    if (!mine && !screen) {
      const actions = el('span', { className: 'call-host-actions' },
        hostButton(t('room.call.muteMember'), t('room.call.muteFailed'), () => opts.muteMember(p.identity)),
        hostButton(t('room.call.removeMember'), t('room.call.removeFailed'), () => opts.removeFromCall(p.identity)))
      tile.append(actions)
    }
    tiles.set(key, tile)
    strip.append(tile)
    renderHostActions()
    return tile
  }
  function hostButton (label: string, failed: string, act: () => Promise<unknown>) {
    const b = button(label, { className: 'small' })
    b.addEventListener('click', () => {
      b.disabled = true
      act().catch((err: unknown) => opts.notify(`${failed} ${errorText(err)}`)).finally(() => { b.disabled = false })
    })
    return b
  }
  function renderHostActions () {
    const host = opts.isHost()
    strip.querySelectorAll<HTMLElement>('.call-host-actions').forEach((actions) => { actions.hidden = !host })
  }
  function dropTiles (p: Participant) {
    for (const screen of [false, true]) {
      const key = tileKey(p, screen)
      tiles.get(key)?.remove()
      tiles.delete(key)
    }
  }
  function showVideo (p: Participant, track: Track) {
    const screen = track.source === livekit().Track.Source.ScreenShare
    const box = tileFor(p, screen).querySelector('.call-video') as HTMLElement
    const video = track.attach() as HTMLVideoElement
    video.muted = true
    video.playsInline = true
    video.dataset.source = track.source
    box.replaceChildren(video)
  }
  function hideVideo (p: Participant, track: Track) {
    for (const node of track.detach()) node.remove()
    if (track.source === livekit().Track.Source.ScreenShare) {
      const key = tileKey(p, true)
      tiles.get(key)?.remove()
      tiles.delete(key)
    }
  }
  function micState (p: Participant) {
    const pub = p.getTrackPublication(livekit().Track.Source.Microphone)
    const state = !pub ? 'off' : pub.isMuted ? 'muted' : 'on'
    const tile = tiles.get(tileKey(p, false))
    if (tile) {
      tile.dataset.mic = state
      ;(tile.querySelector('.call-mic-state') as HTMLElement).textContent = state === 'on' ? '🎙' : '🔇'
    }
    if (p.identity === opts.myId) {
      micToggle.textContent = state === 'on' ? t('room.call.muteMic') : t('room.call.unmuteMic')
      micToggle.setAttribute('aria-pressed', String(state !== 'on'))
    }
  }
  function speaking (speakers: Participant[]) {
    const now = new Set(speakers.map((s) => s.identity))
    for (const [key, tile] of tiles) tile.classList.toggle('speaking', !key.endsWith(':screen') && now.has(key))
    ducking?.speaking(speakers.some((s) => s.identity !== opts.myId))
  }

  // ---- devices ----
  async function fillPickers () {
    const fill = async (select: HTMLSelectElement, kind: MediaDeviceKind) => {
      const devices = await livekit().Room.getLocalDevices(kind, false)
      const active = room?.getActiveDevice(kind)
      select.replaceChildren(...devices.map((d, i) => el('option', { value: d.deviceId, selected: d.deviceId === active }, d.label || t(kind === 'audioinput' ? 'room.call.micN' : 'room.call.cameraN', { n: i + 1 }))))
      select.hidden = devices.length === 0
    }
    await Promise.all([fill(micPicker, 'audioinput'), fill(camPicker, 'videoinput')]).catch(() => {})
  }
  micPicker.addEventListener('change', () => { room?.switchActiveDevice('audioinput', micPicker.value).catch(() => opts.notify(t('room.call.switchMicFailed'))) })
  camPicker.addEventListener('change', () => { room?.switchActiveDevice('videoinput', camPicker.value).catch(() => opts.notify(t('room.call.switchCameraFailed'))) })

  // ---- joining and leaving ----
  async function joinCall () {
    if (room || joining) return
    joining = true
    join.disabled = true
    status.textContent = t('room.call.joining')
    const lk = await loadLiveKit().catch(() => {
      joining = false
      join.disabled = false
      status.textContent = t('room.call.notIn')
      opts.notify(t('room.call.joinFailed'))
    })
    if (!lk) return
    const next = new lk.Room({
      adaptiveStream: true,
      dynacast: true,
      videoCaptureDefaults: { resolution },
      publishDefaults: { simulcast: false, videoEncoding: { maxBitrate: 300_000, maxFramerate: 15 } }
    })
    wire(next)
    try {
      const { url, token } = await opts.token()
      await next.connect(url, token)
      room = next
      // The click that joined is a user gesture: let the others' audio play.
      await next.startAudio().catch(() => {})
      ducking = createDucking(opts.film)
      duckLevel.value = String(ducking.level)
      tileFor(next.localParticipant)
      for (const p of next.remoteParticipants.values()) tileFor(p)
      const wantMic = useMic.checked
      const wantCam = useCam.checked
      if (wantMic) await next.localParticipant.setMicrophoneEnabled(true).catch(() => opts.notify(t('room.call.micFailed')))
      if (wantCam) await next.localParticipant.setCameraEnabled(true).catch(() => opts.notify(t('room.call.cameraFailed')))
      micState(next.localParticipant)
      camToggle.textContent = wantCam ? t('room.call.cameraOff') : t('room.call.cameraOn')
      await fillPickers()
      joinForm.hidden = true
      inCall.hidden = false
      status.textContent = t('room.call.in')
      element.dataset.state = 'joined'
    } catch (err) {
      await next.disconnect().catch(() => {})
      room = undefined
      status.textContent = t('room.call.notIn')
      opts.notify(err instanceof Error && 'code' in err ? `${t('room.call.joinFailed')} ${errorText(err)}` : t('room.call.joinFailed'))
    } finally {
      joining = false
      join.disabled = false
    }
  }

  function wire (r: Room) {
    r.on(livekit().RoomEvent.ParticipantConnected, (p: RemoteParticipant) => { tileFor(p); micState(p) })
      .on(livekit().RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => dropTiles(p))
      .on(livekit().RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub: RemoteTrackPublication, p: RemoteParticipant) => {
        if (track.kind === livekit().Track.Kind.Video) showVideo(p, track)
        else audio.append(track.attach())
        micState(p)
      })
      .on(livekit().RoomEvent.TrackUnsubscribed, (track: RemoteTrack, _pub: RemoteTrackPublication, p: RemoteParticipant) => {
        if (track.kind === livekit().Track.Kind.Video) hideVideo(p, track)
        else for (const node of track.detach()) node.remove()
        micState(p)
      })
      .on(livekit().RoomEvent.LocalTrackPublished, (pub: LocalTrackPublication) => {
        if (pub.track && pub.kind === livekit().Track.Kind.Video) showVideo(r.localParticipant, pub.track)
        micState(r.localParticipant)
      })
      .on(livekit().RoomEvent.LocalTrackUnpublished, (pub: LocalTrackPublication) => {
        if (pub.track && pub.kind === livekit().Track.Kind.Video) hideVideo(r.localParticipant, pub.track)
        if (pub.source === livekit().Track.Source.ScreenShare) setSharing(false)
        micState(r.localParticipant)
      })
      .on(livekit().RoomEvent.TrackMuted, (pub, p: Participant) => {
        micState(p)
        if (p.identity !== opts.myId) return
        // Our own mute is reported (the host's is recorded by room-api when the host asks for it).
        if (selfChange.has(pub.source)) report(pub.trackSid, true)
        else if (pub.source === livekit().Track.Source.Microphone) opts.notify(t('room.call.mutedByHost'))
      })
      .on(livekit().RoomEvent.TrackUnmuted, (pub, p: Participant) => {
        micState(p)
        if (p.identity === opts.myId && selfChange.has(pub.source)) report(pub.trackSid, false)
      })
      .on(livekit().RoomEvent.ActiveSpeakersChanged, (speakers: Participant[]) => speaking(speakers))
      .on(livekit().RoomEvent.MediaDevicesChanged, () => { fillPickers().catch(() => {}) })
      .on(livekit().RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (room !== r) return
        left()
        if (reason === livekit().DisconnectReason.PARTICIPANT_REMOVED) opts.notify(t('room.call.removed'))
        if (reason === livekit().DisconnectReason.ROOM_DELETED) opts.notify(t('room.call.ended'))
      })
  }

  /** Back to the join form: tiles, audio and ducking gone. */
  function left () {
    room = undefined
    ducking?.stop()
    ducking = undefined
    tiles.clear()
    strip.replaceChildren()
    audio.replaceChildren()
    joinForm.hidden = false
    inCall.hidden = true
    setSharing(false)
    status.textContent = t('room.call.notIn')
    delete element.dataset.state
  }

  // The sources this member is muting or unmuting right now (a mute seen meanwhile is theirs, not the host's).
  const selfChange = new Set<Track.Source>()
  function report (trackSid: string, muted: boolean) {
    // The record only: a failed report changes nothing on the page (the track is muted either way).
    opts.reportMute(trackSid, muted).catch(() => {})
  }
  /** Turns one of this member's own sources on or off, says so when the browser refuses, then `after(ok)`. */
  function changeOwn (source: Track.Source, change: () => Promise<unknown>, failedKey: string, after: (ok: boolean) => void) {
    selfChange.add(source)
    change()
      .then(() => true, () => { opts.notify(t(failedKey)); return false })
      .then((ok) => { selfChange.delete(source); after(ok) })
  }
  micToggle.addEventListener('click', () => {
    const me = room?.localParticipant
    if (!me) return
    const on = !me.isMicrophoneEnabled
    changeOwn(livekit().Track.Source.Microphone, async () => await me.setMicrophoneEnabled(on), 'room.call.micFailed', () => micState(me))
  })
  camToggle.addEventListener('click', () => {
    const me = room?.localParticipant
    if (!me) return
    const on = !me.isCameraEnabled
    changeOwn(livekit().Track.Source.Camera, async () => await me.setCameraEnabled(on), 'room.call.cameraFailed', (ok) => {
      if (!ok) return
      camToggle.textContent = on ? t('room.call.cameraOff') : t('room.call.cameraOn')
      camToggle.setAttribute('aria-pressed', String(!on))
      // A camera turned off keeps its (muted) publication: its last frame must not linger in the tile.
      if (!on) tiles.get(tileKey(me, false))?.querySelector('.call-video')?.replaceChildren()
      else { const track = me.getTrackPublication(livekit().Track.Source.Camera)?.track; if (track) showVideo(me, track) }
    })
  })
  function setSharing (on: boolean) {
    shareToggle.textContent = on ? t('room.call.stopShare') : t('room.call.share')
    shareToggle.setAttribute('aria-pressed', String(on))
  }
  shareToggle.addEventListener('click', () => {
    const r = room
    if (!r) return
    const on = !r.localParticipant.isScreenShareEnabled
    r.localParticipant.setScreenShareEnabled(on, { audio: true, resolution: { width: 1280, height: 720, frameRate: 5 } })
      .then(() => setSharing(on))
      .catch(() => opts.notify(t('room.call.shareFailed')))
  })
  duckLevel.addEventListener('input', () => ducking?.setLevel(Number(duckLevel.value)))
  join.addEventListener('click', () => { joinCall().catch(() => {}) })
  leave.addEventListener('click', () => { room?.disconnect().catch(() => {}) })

  const panel: CallPanel = {
    element,
    stop () {
      const r = room
      left()
      r?.disconnect().catch(() => {})
    },
    stats: async () => room ? await inboundStats(room) : {},
    refreshRole: renderHostActions
  }
  // Reachable from the page's element for end-to-end checks and measurements (#call → .callPanel.stats()).
  Object.defineProperty(element, 'callPanel', { value: panel })
  return panel
}
