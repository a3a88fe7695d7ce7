/**
 * Redis Cluster's key slots, computed here so the outbox can name, for any room, a key in the
 * room's own slot (its index of pending streams) and split the slots among publisher leases.
 * The same numbers on a single Redis: one code path, the slots are just all on one node.
 */
export const SLOTS = 16_384

const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

/** CRC16-CCITT (XMODEM), the hash Redis Cluster uses (cluster spec, "Keys distribution model"). */
function crc16 (bytes: Uint8Array) {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc
}

/** The slot of a key: of its hash tag (the first non-empty `{...}`) if it has one, else of the whole key. */
export function keySlot (key: string) {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) key = key.slice(open + 1, close)
  }
  return crc16(Buffer.from(key, 'utf8')) % SLOTS
}

const tags: string[] = []

/**
 * A short hash tag that lands in `slot` (the smallest number whose text hashes there), so a key
 * `…{tag}…` sits on the same node as every other key of that slot and a script may touch both.
 */
export function slotTag (slot: number): string {
  if (tags.length === 0) {
    for (let n = 0, found = 0; found < SLOTS; n++) {
      const s = keySlot(String(n))
      if (tags[s] === undefined) { tags[s] = String(n); found++ }
    }
  }
  return tags[slot]!
}
