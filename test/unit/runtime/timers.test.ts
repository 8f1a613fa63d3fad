import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timers } from '../../../src/runtime/timers.js';

describe('Timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a zero delay on the next turn of the loop, before any timeout', () => {
    const fired: string[] = [];
    const timers = new Timers((key) => fired.push(key));
    timers.start('stop-timeout:a', 1);
    timers.start('restart:b', 0);
    vi.advanceTimersToNextTimer();
    expect(fired).toEqual(['restart:b']);
    vi.runAllTimers();
    expect(fired).toEqual(['restart:b', 'stop-timeout:a']);
  });

  it('re-arming a key replaces it, and cancel stops both kinds', () => {
    const fired: string[] = [];
    const timers = new Timers((key) => fired.push(key));
    timers.start('restart:a', 0);
    timers.start('restart:a', 50);
    timers.start('restart:b', 0);
    timers.cancel('restart:b');
    vi.advanceTimersByTime(49);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['restart:a']);
    timers.start('restart:c', 0);
    timers.start('restart:d', 10);
    timers.cancelAll();
    vi.runAllTimers();
    expect(fired).toEqual(['restart:a']);
  });
});
