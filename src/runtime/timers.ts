import type { TimerKey } from '../core/events.js';

type Handle = { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate };

/** The core's timers as real ones: one per key, re-arming a key replaces it. */
export class Timers {
  private readonly handles = new Map<TimerKey, Handle>();

  constructor(private readonly onFire: (key: TimerKey) => void) {}

  start(key: TimerKey, delayMs: number): void {
    this.cancel(key);
    const fire = () => {
      this.handles.delete(key);
      this.onFire(key);
    };
    // A zero delay (backoff 0s) runs on the next turn of the loop: setTimeout(0) waits a
    // whole millisecond, a third of a respawn.
    if (delayMs <= 0) {
      this.handles.set(key, { kind: 'immediate', handle: setImmediate(fire) });
      return;
    }
    // setTimeout caps at 2^31-1 ms (about 24.8 days); longer delays would fire at once.
    this.handles.set(key, { kind: 'timeout', handle: setTimeout(fire, Math.min(delayMs, 2 ** 31 - 1)) });
  }

  cancel(key: TimerKey): void {
    const entry = this.handles.get(key);
    if (entry) clear(entry);
    this.handles.delete(key);
  }

  cancelAll(): void {
    for (const entry of this.handles.values()) clear(entry);
    this.handles.clear();
  }
}

function clear(entry: Handle): void {
  if (entry.kind === 'immediate') clearImmediate(entry.handle);
  else clearTimeout(entry.handle);
}
