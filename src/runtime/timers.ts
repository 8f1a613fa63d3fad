import type { TimerKey } from '../core/events.js';

/** The core's timers as real ones: one per key, re-arming a key replaces it. */
export class Timers {
  private readonly handles = new Map<TimerKey, NodeJS.Timeout>();

  constructor(private readonly onFire: (key: TimerKey) => void) {}

  start(key: TimerKey, delayMs: number): void {
    this.cancel(key);
    // setTimeout caps at 2^31-1 ms (about 24.8 days); longer delays would fire at once.
    const boundedMs = Math.min(Math.max(delayMs, 0), 2 ** 31 - 1);
    this.handles.set(
      key,
      setTimeout(() => {
        this.handles.delete(key);
        this.onFire(key);
      }, boundedMs),
    );
  }

  cancel(key: TimerKey): void {
    const handle = this.handles.get(key);
    if (handle) clearTimeout(handle);
    this.handles.delete(key);
  }

  cancelAll(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }
}
