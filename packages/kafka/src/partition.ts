import type { Admin } from './admin.js'

/**
 * The partition Kafka's default partitioner picks for a key: Java's murmur2 (as in the Java
 * client and kafkajs's DefaultPartitioner), positive, modulo the topic's partition count.
 * Publishers group records by it so each send touches one partition and lands whole or not at
 * all: kafkajs retries a multi-partition request whole when one partition fails, which would
 * duplicate the partitions that had succeeded.
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

/**
 * The topic's partition count, asked once and cached; a failed lookup is retried next call.
 * (A topic recreated with another count needs a restart to be seen.)
 */
export function partitionCounter (admin: Pick<Admin, 'topicOffsets'>, topic: string): () => Promise<number> {
  let count: Promise<number> | undefined
  return async () => {
    count ??= admin.topicOffsets(topic).then((offsets) => {
      if (offsets.length === 0) throw new Error(`topic ${topic} has no partitions`)
      return offsets.length
    })
    try {
      return await count
    } catch (err) {
      count = undefined
      throw err
    }
  }
}

/** Groups records by the partition their key maps to, keeping each group's order. */
export function groupByPartition<R extends { key: string }> (records: R[], partitions: number): R[][] {
  const groups = new Map<number, R[]>()
  for (const record of records) {
    const p = partitionFor(record.key, partitions)
    const group = groups.get(p)
    if (group) group.push(record)
    else groups.set(p, [record])
  }
  return [...groups.values()]
}
