import type pg from 'pg'

export type Db = pg.PoolClient

/** Runs `work` in one transaction on one pooled client; rolls back on any error. */
export async function withTransaction<T> (pool: pg.Pool, work: (client: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch {
      broken = true // the connection is gone; do not return it to the pool
    }
    throw err
  } finally {
    client.release(broken)
  }
}
