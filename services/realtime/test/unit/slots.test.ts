// The slot arithmetic must agree with Redis Cluster's (the cluster run checks it against CLUSTER KEYSLOT too).
import t from 'tap'
import { keySlot, SLOTS, slotTag } from '../../src/rooms/slots.js'

t.test('key slots match the values Redis documents', async (t) => {
  t.equal(keySlot('foo'), 12182)
  t.equal(keySlot('somekey'), 11058)
  t.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'))
  t.equal(keySlot('{user1000}.following'), keySlot('user1000'))
  t.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'), 'an empty tag hashes the whole key')
  t.not(keySlot('foo{}{bar}'), keySlot('bar'))
})

t.test('every slot has a tag that lands in it', async (t) => {
  for (const slot of [0, 1, 866, 12182, SLOTS - 1]) t.equal(keySlot(`rt:x:{${slotTag(slot)}}`), slot)
  const all = new Set(Array.from({ length: SLOTS }, (_, s) => slotTag(s)))
  t.equal(all.size, SLOTS)
})
