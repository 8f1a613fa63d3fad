import type { OutputSink } from './output-sink.js';

/**
 * An {@link OutputSink} that keeps what it is given in memory: for tests, and wherever output
 * must be captured rather than written. It can be stalled, as a slow reader would: units then
 * stay "held" (counted in `bufferedBytes`, with the usual high-water mark) until `release()`.
 */
export class MemorySink implements OutputSink {
  /** Every unit accepted (released), in order. */
  readonly units: Buffer[] = [];
  readonly droppedBytes = 0;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #stalled = false;
  #drainListeners: (() => void)[] = [];
  #flushWaiters: (() => void)[] = [];

  constructor(readonly highWaterMarkBytes = 1024 * 1024) {}

  get bufferedBytes(): number {
    return this.#heldBytes;
  }

  /** All bytes accepted so far. */
  bytes(): Buffer {
    return Buffer.concat(this.units);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  write(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    // No copy, as the fd sink: a unit must stay intact once written (tests would see otherwise).
    if (!this.#stalled) {
      this.units.push(chunk);
      return true;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    return this.#heldBytes <= this.highWaterMarkBytes;
  }

  onceDrain(listener: () => void): void {
    if (this.#heldBytes <= this.highWaterMarkBytes && !this.#stalled) queueMicrotask(listener);
    else this.#drainListeners.push(listener);
  }

  /** From now on, hold what is written, as a destination that does not read would. */
  stall(): void {
    this.#stalled = true;
  }

  /** Accepts everything held, and everything written from now on; wakes paused producers. */
  release(): void {
    this.#stalled = false;
    this.units.push(...this.#held);
    this.#held = [];
    this.#heldBytes = 0;
    for (const listener of this.#drainListeners.splice(0)) listener();
    for (const resolve of this.#flushWaiters.splice(0)) resolve();
  }

  flush(): Promise<void> {
    if (!this.#stalled) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  flushSync(): void {
    this.release();
  }
}
