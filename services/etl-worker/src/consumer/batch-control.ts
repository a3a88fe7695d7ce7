/** What a batch's retry and keep-alive share: the consumer's controls, and how a batch is given up. */

/** Thrown to abandon a batch without committing: the consumer is stopping or lost the partition. */
export class BatchAbandoned extends Error {
  constructor (why: string) {
    super(`batch abandoned: ${why}`)
    this.name = 'BatchAbandoned'
  }
}

export interface RetryControl {
  isRunning (): boolean
  isStale (): boolean
  heartbeat (): Promise<void>
}
