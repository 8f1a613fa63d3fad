import { describe, expect, it } from 'vitest';
import type { ExitStatus } from '../../../src/core/exit-status.js';
import type { RestartPolicy } from '../../../src/core/model.js';
import { Harness, makeSpec, started } from './driver.js';

const EXIT_0: ExitStatus = { code: 0, signal: null };
const EXIT_1: ExitStatus = { code: 1, signal: null };
const KILLED: ExitStatus = { code: null, signal: 'SIGKILL' };

describe('restart policy × how the process ended', () => {
  it.each<[RestartPolicy, string, ExitStatus, 'backoff' | 'exited']>([
    ['always', 'exit 0', EXIT_0, 'backoff'],
    ['always', 'exit 1', EXIT_1, 'backoff'],
    ['always', 'SIGKILL', KILLED, 'backoff'],
    ['on-failure', 'exit 0', EXIT_0, 'exited'],
    ['on-failure', 'exit 1', EXIT_1, 'backoff'],
    ['on-failure', 'SIGKILL', KILLED, 'backoff'],
    ['never', 'exit 0', EXIT_0, 'exited'],
    ['never', 'exit 1', EXIT_1, 'exited'],
    ['never', 'SIGKILL', KILLED, 'exited'],
  ])('%s after %s → %s', (restart, _label, exit, expected) => {
    // A second process keeps procinit running, so "exited" is the process's own fate.
    const h = started([makeSpec({ name: 'job', restart }), makeSpec({ name: 'web' })]);
    h.exited('job.1', exit.code, 500, exit.signal);
    expect(h.status('job.1')).toMatchObject({ state: expected, pid: null, lastExit: { ...exit, atMs: 500 } });
    const timers = h.effectsOfType('StartTimer');
    expect(timers).toEqual(
      expected === 'backoff' ? [{ type: 'StartTimer', key: 'restart:job.1', delayMs: 1000 }] : [],
    );
    expect(h.effectsOfType('SpawnProcess')).toEqual([]);
    expect(h.exitCodes()).toEqual([]);
  });
});

describe('a crashing worker', () => {
  it('restarts with growing delays, in backoff between runs', () => {
    const h = started([makeSpec({ name: 'worker' })]);
    let nowMs = 0;
    const delays: number[] = [];
    for (let run = 1; run <= 7; run++) {
      nowMs += 100; // crashes 100 ms after each start: never earns a reset
      h.exited('worker.1', 1, nowMs);
      expect(h.status('worker.1').state).toBe('backoff');
      const [timer] = h.effectsOfType('StartTimer');
      expect(timer?.key).toBe('restart:worker.1');
      delays.push(timer?.delayMs ?? -1);
      nowMs += timer?.delayMs ?? 0;
      expect(h.fire('restart:worker.1', nowMs)).toContainEqual({ type: 'SpawnProcess', id: 'worker.1' });
      expect(h.status('worker.1')).toMatchObject({ state: 'starting', restarts: run });
      h.spawned('worker.1', nowMs);
      expect(h.status('worker.1').state).toBe('running');
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(h.exitCodes()).toEqual([]);
  });

  it('starts over at the initial delay after staying up reset_after', () => {
    const h = started([makeSpec({ name: 'worker' })]);
    const crashAndRestart = (upMs: number): number => {
      h.exited('worker.1', 1, h.nowMs + upMs);
      const delayMs = h.effectsOfType('StartTimer')[0]?.delayMs ?? -1;
      h.fire('restart:worker.1');
      h.spawned('worker.1');
      return delayMs;
    };
    expect([crashAndRestart(10), crashAndRestart(10), crashAndRestart(10)]).toEqual([1000, 2000, 4000]);
    expect(crashAndRestart(9_999)).toBe(8000);
    expect(crashAndRestart(10_000)).toBe(1000);
    expect(crashAndRestart(10)).toBe(2000);
  });

  it('never waits with initial 0', () => {
    const h = started([
      makeSpec({ name: 'worker', backoff: { initialMs: 0, maxMs: 30_000, resetAfterMs: 10_000 } }),
    ]);
    for (let run = 0; run < 5; run++) {
      h.exited('worker.1', 1, h.nowMs + 1);
      expect(h.effectsOfType('StartTimer')).toEqual([
        { type: 'StartTimer', key: 'restart:worker.1', delayMs: 0 },
      ]);
      h.fire('restart:worker.1');
      h.spawned('worker.1');
    }
    expect(h.status('worker.1').restarts).toBe(5);
  });

  it('ignores a restart timer that is no longer wanted', () => {
    const h = started([makeSpec({ name: 'worker' })]);
    h.send({ type: 'TimerFired', key: 'restart:worker.1', nowMs: 5 });
    expect(h.steps.at(-1)?.effects).toEqual([]);
    expect(h.status('worker.1')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('ignores a second exit report for the same run', () => {
    const h = started([makeSpec({ name: 'worker' })]);
    h.exited('worker.1', 1, 10);
    expect(h.exited('worker.1', 1, 11)).toEqual([]);
    expect(h.status('worker.1').lastExit?.atMs).toBe(10);
  });
});

describe('max_restarts within restart_window', () => {
  const fastCrasher = (maxRestarts: number, restartWindowMs = 60_000) =>
    makeSpec({
      name: 'worker',
      maxRestarts,
      restartWindowMs,
      backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 10_000 },
    });

  it.each([1, 2, 3, 5])('max_restarts %i: failed when one more restart would exceed it', (maxRestarts) => {
    const h = started([fastCrasher(maxRestarts), makeSpec({ name: 'web' })]);
    for (let restart = 1; restart <= maxRestarts; restart++) {
      h.exited('worker.1', 1, h.nowMs + 100);
      expect(h.status('worker.1').state).toBe('backoff');
      h.fire('restart:worker.1');
      h.spawned('worker.1');
    }
    h.exited('worker.1', 1, h.nowMs + 100);
    expect(h.status('worker.1')).toMatchObject({ state: 'failed', restarts: maxRestarts, pid: null });
    expect(h.effectsOfType('StartTimer')).toEqual([]);
    expect(h.logEvents()).toContain('process.failed');
  });

  it('never fails when the restarts are spread outside the window', () => {
    const h = started([fastCrasher(2, 10_000), makeSpec({ name: 'web' })]);
    for (let restart = 1; restart <= 20; restart++) {
      h.exited('worker.1', 1, h.nowMs + 5_001);
      expect(h.status('worker.1').state).toBe('backoff');
      h.fire('restart:worker.1');
      h.spawned('worker.1');
    }
    expect(h.status('worker.1')).toMatchObject({ state: 'running', restarts: 20 });
  });

  it('counts the restarts within the window that ends at the planned start, delay included', () => {
    const spec = (restartWindowMs: number) =>
      makeSpec({
        name: 'worker',
        maxRestarts: 2,
        restartWindowMs,
        backoff: { initialMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 },
      });
    const run = (restartWindowMs: number) => {
      const h = started([spec(restartWindowMs), makeSpec({ name: 'web' })]);
      h.exited('worker.1', 1, 0); // restart 1 at 1000
      h.fire('restart:worker.1');
      h.spawned('worker.1');
      h.exited('worker.1', 1, 1000); // restart 2 at 3000
      h.fire('restart:worker.1');
      h.spawned('worker.1');
      h.exited('worker.1', 1, 3000); // restart 3 would start at 7000
      return h;
    };
    // Window (−3000, 7000] holds restarts at 1000 and 3000: a third makes three.
    expect(run(10_000).status('worker.1').state).toBe('failed');
    // Window (2000, 7000] holds only the one at 3000: the third is the second within it.
    const h = run(5000);
    expect(h.status('worker.1').state).toBe('backoff');
    expect(h.timer('restart:worker.1')).toMatchObject({ delayMs: 4000, dueAtMs: 7000 });
  });

  it('is unlimited with max_restarts 0', () => {
    const h = started([fastCrasher(0, 60_000)]);
    for (let restart = 1; restart <= 50; restart++) {
      h.exited('worker.1', 1, h.nowMs + 1);
      h.fire('restart:worker.1');
      h.spawned('worker.1');
    }
    expect(h.status('worker.1')).toMatchObject({ state: 'running', restarts: 50 });
  });
});

describe('a spawn that fails', () => {
  it.each<[RestartPolicy, 'backoff' | 'exited']>([
    ['always', 'backoff'],
    ['on-failure', 'backoff'],
    ['never', 'exited'],
  ])('counts as exit 127 under restart: %s', (restart, expected) => {
    const h = new Harness([makeSpec({ name: 'job', restart }), makeSpec({ name: 'web' })]);
    h.boot(0);
    h.spawned('web.1', 0);
    h.spawnFailed('job.1', 5);
    expect(h.status('job.1')).toMatchObject({
      state: expected,
      pid: null,
      everStarted: false,
      lastExit: { code: 127, signal: null, atMs: 5 },
    });
    expect(h.effectsOfType('StartTimer')).toEqual(
      expected === 'backoff' ? [{ type: 'StartTimer', key: 'restart:job.1', delayMs: 1000 }] : [],
    );
    expect(h.logEvents()).toContain('process.spawn-failed');
  });

  it('keeps growing the backoff when a restart cannot be spawned, whatever the last run did', () => {
    const h = started([makeSpec({ name: 'worker' })]);
    h.exited('worker.1', 1, 20_000); // up 20 s: the streak starts over
    expect(h.timer('restart:worker.1')?.delayMs).toBe(1000);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      h.fire('restart:worker.1');
      h.spawnFailed('worker.1'); // a failed spawn ran for 0 ms, not since the last good start
      delays.push(h.timer('restart:worker.1')?.delayMs ?? -1);
    }
    expect(delays).toEqual([2000, 4000, 8000, 16_000]);
  });
});
