/**
 * The partition Kafka's default partitioner picks for a key: Java's murmur2 (as in the Java
 * client and kafkajs's DefaultPartitioner), positive, modulo the topic's partition count.
 * The relay groups events by it so each send touches one partition (all-or-nothing).
 */
export function murmur2 (key: string): number {
  const data = Buffer.from(key)
  const length = data.length
  const m = 0x5bd1e995
  let h = 0x9747b28c ^ length
  const whole = length - (length % 4)
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  switch (length % 4) {
    case 3: h ^= (data[whole + 2] as number) << 16 // falls through
    case 2: h ^= (data[whole + 1] as number) << 8 // falls through
    case 1:
      h ^= data[whole] as number
      h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

export function partitionFor (key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions
}
