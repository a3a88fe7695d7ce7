// Sends one real MongoDB wire-protocol request (OP_MSG { ping: 1 }) and exits 0 if the
// server answers ok: 1. Dependency-free so `stack` can use it before `pnpm install`.
// usage: node mongo-ping.mjs HOST PORT
import net from 'node:net'

const [host = '127.0.0.1', port = '27017'] = process.argv.slice(2)

function cstring (s) { return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]) }
function int32 (n) { const b = Buffer.alloc(4); b.writeInt32LE(n); return b }

// BSON { ping: 1 (int32), $db: "admin" }
const body = Buffer.concat([
  Buffer.from([0x10]), cstring('ping'), int32(1),
  Buffer.from([0x02]), cstring('$db'), int32(6), cstring('admin'),
  Buffer.from([0x00])
])
const doc = Buffer.concat([int32(body.length + 4), body])
// header: length, requestID, responseTo, opCode 2013 (OP_MSG); flagBits; section kind 0
const payload = Buffer.concat([int32(0), Buffer.from([0]), doc])
const msg = Buffer.concat([int32(16 + payload.length), int32(1), int32(0), int32(2013), payload])

const socket = net.connect({ host, port: Number(port) })
const timer = setTimeout(() => fail('no answer within 3 s'), 3000)
let chunks = Buffer.alloc(0)

function fail (why) { console.error(`mongo ${host}:${port}: ${why}`); process.exit(1) }

socket.on('connect', () => socket.write(msg))
socket.on('error', (err) => fail(err.message))
socket.on('data', (data) => {
  chunks = Buffer.concat([chunks, data])
  if (chunks.length < 4 || chunks.length < chunks.readInt32LE(0)) return
  clearTimeout(timer)
  socket.destroy()
  // Reply: 16-byte header, 4-byte flags, 1-byte section kind, then the BSON document.
  // Look for the "ok" element (double 1.0 or int32 1) in the reply document.
  const reply = chunks.subarray(21)
  const at = reply.indexOf(Buffer.concat([Buffer.from([0x01]), cstring('ok')]))
  const ok = at >= 0 ? reply.readDoubleLE(at + 4) : NaN
  if (ok === 1) { console.log(`mongo ${host}:${port} ok`); process.exit(0) }
  fail('reply without ok: 1')
})
