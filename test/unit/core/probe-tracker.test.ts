import { describe, expect, it } from 'vitest';
import type { ProbeCheck } from '../../../src/core/model.js';
import {
  createProbeTracker,
  nextAttemptDelayMs,
  type ProbeRole,
  type ProbeTracker,
  recordProbeResult,
} from '../../../src/core/probe-tracker.js';

const HTTP: ProbeCheck = { kind: 'http', url: 'http://127.0.0.1:8000/health' };

function tracker(role: ProbeRole, failureThreshold: number, successThreshold: number, check = HTTP) {
  return createProbeTracker(role, { check, failureThreshold, successThreshold });
}

/**
 * Feeds `results` (`+` a pass, `-` a failure) and returns what each one reported, `.` for
 * nothing: `'++-'` → `'.ready.'` style, as a list.
 */
function feed(start: ProbeTracker, results: string): { transitions: string[]; tracker: ProbeTracker } {
  let current = start;
  const transitions: string[] = [];
  for (const result of results) {
    const record = recordProbeResult(current, result === '+');
    transitions.push(record.transition ?? '.');
    current = record.tracker;
  }
  return { transitions, tracker: current };
}

describe('recordProbeResult: readiness', () => {
  it.each([
    // failure threshold, success threshold, results, what each reported
    [3, 1, '+', ['ready']],
    [3, 1, '++++', ['ready', '.', '.', '.']],
    [3, 2, '+-+', ['.', '.', '.']],
    [3, 2, '+-++', ['.', '.', '.', 'ready']],
    [3, 3, '+++', ['.', '.', 'ready']],
    [3, 1, '---', ['.', '.', '.']],
    [3, 1, '+---', ['ready', '.', '.', 'not-ready']],
    [3, 1, '+--+--', ['ready', '.', '.', '.', '.', '.']],
    [3, 1, '+-----', ['ready', '.', '.', 'not-ready', '.', '.']],
    [1, 1, '+-+-', ['ready', 'not-ready', 'ready', 'not-ready']],
    [2, 2, '++--+-++', ['.', 'ready', '.', 'not-ready', '.', '.', '.', 'ready']],
  ])(
    'failure_threshold %i, success_threshold %i: %s reports %j',
    (failures, successes, results, expected) => {
      expect(feed(tracker('readiness', failures, successes), results).transitions).toEqual(expected);
    },
  );

  it('starts not ready', () => {
    expect(tracker('readiness', 3, 1).ready).toBe(false);
  });

  it('holds the verdict and the streaks', () => {
    expect(feed(tracker('readiness', 3, 1), '++-').tracker).toMatchObject({
      ready: true,
      successes: 0,
      failures: 1,
    });
  });

  it('never mutates the tracker it is given', () => {
    const start = Object.freeze(tracker('readiness', 1, 1));
    const { tracker: next } = recordProbeResult(start, true);
    expect(start).toMatchObject({ ready: false, successes: 0 });
    expect(next).toMatchObject({ ready: true, successes: 1 });
  });

  it('a log probe is ready on its first match, whatever success_threshold says', () => {
    const log = tracker('readiness', 3, 5, { kind: 'log', pattern: 'listening' });
    expect(recordProbeResult(log, true).transition).toBe('ready');
  });
});

describe('recordProbeResult: liveness', () => {
  it.each([
    [3, '---', ['.', '.', 'live-failed']],
    [3, '--+--', ['.', '.', '.', '.', '.']],
    [3, '--+---', ['.', '.', '.', '.', '.', 'live-failed']],
    // The streak starts over after a report: the next one needs N more failures.
    [3, '------', ['.', '.', 'live-failed', '.', '.', 'live-failed']],
    [1, '-+-', ['live-failed', '.', 'live-failed']],
    [2, '++++', ['.', '.', '.', '.']],
  ])('failure_threshold %i: %s reports %j', (failures, results, expected) => {
    expect(feed(tracker('liveness', failures, 1), results).transitions).toEqual(expected);
  });

  it('never reports ready or not-ready', () => {
    const { transitions } = feed(tracker('liveness', 1, 1), '+-+-++--');
    expect(transitions.filter((transition) => transition === 'ready' || transition === 'not-ready')).toEqual(
      [],
    );
  });

  it('a success threshold above 1 does not make failures with passes between them consecutive', () => {
    expect(feed(tracker('liveness', 2, 3), '-+-').transitions).toEqual(['.', '.', '.']);
  });
});

describe('nextAttemptDelayMs', () => {
  it.each([
    [1000, 0, 1000],
    [1000, 300, 700],
    [1000, 1000, 0],
    [1000, 5000, 0],
    [1000, -5, 1000],
    [0, 0, 0],
  ])('interval %i ms, attempt took %i ms: next in %i ms', (intervalMs, durationMs, delayMs) => {
    expect(nextAttemptDelayMs(intervalMs, durationMs)).toBe(delayMs);
  });
});
