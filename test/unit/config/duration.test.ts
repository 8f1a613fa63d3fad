import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['0s', 0],
    ['30', 30_000],
    [' 8s ', 8_000],
    [10, 10_000],
    [0.25, 250],
    [0, 0],
  ])('%j is %i ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it.each([
    ['10 seconds', '"10 seconds"'],
    ['10S', '"10S"'],
    ['-1s', '"-1s"'],
    ['s', '"s"'],
    ['', '""'],
    ['1d', '"1d"'],
    [-1, '-1'],
    [Number.POSITIVE_INFINITY, 'null'],
    [true, 'true'],
    [null, 'null'],
  ])('rejects %j, naming it', (input, shown) => {
    expect(parseDuration(input)).toEqual({
      ok: false,
      message: `expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds, found ${shown}`,
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1500ms'],
    [8_000, '8s'],
    [90_000, '90s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });
});
