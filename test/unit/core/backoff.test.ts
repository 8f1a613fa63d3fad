import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextAttempt } from '../../../src/core/backoff.js';
import type { BackoffSpec } from '../../../src/core/model.js';

const DEFAULT: BackoffSpec = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 };

describe('backoffDelayMs', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 16_000],
    [5, 30_000],
    [6, 30_000],
    [100, 30_000],
    [10_000, 30_000],
  ])('attempt %i waits %i ms (1s doubling, max 30s)', (attempt, delayMs) => {
    expect(backoffDelayMs(attempt, DEFAULT)).toBe(delayMs);
  });

  it.each([0, 1, 5, 1000])('initial 0 never waits (attempt %i)', (attempt) => {
    expect(backoffDelayMs(attempt, { ...DEFAULT, initialMs: 0 })).toBe(0);
  });

  it('is capped by a max below initial', () => {
    expect(backoffDelayMs(0, { initialMs: 5000, maxMs: 2000, resetAfterMs: 0 })).toBe(2000);
  });

  it('stays finite for absurd attempts', () => {
    expect(backoffDelayMs(Number.MAX_SAFE_INTEGER, { ...DEFAULT, maxMs: Number.MAX_SAFE_INTEGER })).toBe(
      1000 * 2 ** 40,
    );
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelayMs(-3, DEFAULT)).toBe(1000);
  });
});

describe('nextAttempt', () => {
  it.each([
    [3, 0, 3],
    [3, 9999, 3],
    [3, 10_000, 0],
    [3, 60_000, 0],
    [0, 0, 0],
  ])('streak %i after %i ms of uptime continues at %i', (previous, uptimeMs, next) => {
    expect(nextAttempt(previous, uptimeMs, DEFAULT)).toBe(next);
  });
});
