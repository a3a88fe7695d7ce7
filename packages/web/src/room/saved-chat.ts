import type { ChatMessage } from '@watch-together/protocol'

const KEPT_MESSAGES = 200
const chatKey = (roomId: string) => `wt.chat.${roomId}`

/** The chat this browser saw in a room, kept so a closed room's history stays readable. */
export function loadSavedChat (roomId: string): ChatMessage[] {
  try {
    return JSON.parse(localStorage.getItem(chatKey(roomId)) ?? '[]') as ChatMessage[]
  } catch {
    return []
  }
}

export function saveChat (roomId: string, messages: ChatMessage[]) {
  try { localStorage.setItem(chatKey(roomId), JSON.stringify(messages.slice(-KEPT_MESSAGES))) } catch {}
}
