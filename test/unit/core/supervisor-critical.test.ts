import { describe, expect, it } from 'vitest';
import { Harness, makeSpec, started } from './driver.js';

const api = makeSpec({ name: 'api', critical: true, restart: 'never' });
const worker = makeSpec({ name: 'worker', stopTimeoutMs: 30_000 });
const beat = makeSpec({ name: 'beat', signalTarget: 'group' });

describe('a critical process', () => {
  it('that ends for good shuts everything down, and procinit exits with its code once all exited', () => {
    const h = started([api, worker, beat]);
    const effects = h.exited('api.1', 5, 100);
    expect(h.state.shutdown?.cause).toEqual({ kind: 'critical', id: 'api.1', exitCode: 5 });
    expect(h.state.phase).toBe('stopping');
    expect(effects.filter((effect) => effect.type === 'SendSignal' || effect.type === 'StartTimer')).toEqual([
      { type: 'SendSignal', id: 'worker.1', pid: h.pid('worker.1'), signal: 'SIGTERM', target: 'process' },
      { type: 'StartTimer', key: 'stop-timeout:worker.1', delayMs: 30_000 },
      { type: 'SendSignal', id: 'beat.1', pid: h.pid('beat.1'), signal: 'SIGTERM', target: 'group' },
      { type: 'StartTimer', key: 'stop-timeout:beat.1', delayMs: 8000 },
    ]);
    h.killed('beat.1', 'SIGTERM', 200);
    expect(h.exitCodes()).toEqual([]);
    h.fire('stop-timeout:worker.1');
    expect(h.effectsOfType('KillProcessTree').map((effect) => effect.id)).toEqual(['worker.1']);
    h.killed('worker.1', 'SIGKILL', 30_101);
    expect(h.exitCodes()).toEqual([5]);
  });

  it('that will be restarted does not shut anything down', () => {
    const h = started([makeSpec({ name: 'api', critical: true }), worker]);
    h.exited('api.1', 5, 100);
    expect(h.status('api.1').state).toBe('backoff');
    expect(h.state).toMatchObject({ phase: 'running', shutdown: null });
  });

  it('under on-failure that exits 0 shuts down with 0', () => {
    const h = started([makeSpec({ name: 'api', critical: true, restart: 'on-failure' }), worker]);
    h.exited('api.1', 0, 100);
    expect(h.state.shutdown?.cause).toEqual({ kind: 'critical', id: 'api.1', exitCode: 0 });
    h.exited('worker.1', 143, 110);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('that failed (max_restarts) shuts down with its last code', () => {
    const h = started([
      makeSpec({
        name: 'api',
        critical: true,
        maxRestarts: 2,
        backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 },
      }),
      worker,
    ]);
    for (const code of [1, 2]) {
      h.exited('api.1', code, h.nowMs + 1);
      h.fire('restart:api.1');
      h.spawned('api.1');
    }
    h.killed('api.1', 'SIGSEGV', h.nowMs + 1);
    expect(h.status('api.1')).toMatchObject({ state: 'failed', restarts: 2 });
    expect(h.state.shutdown?.cause).toEqual({ kind: 'critical', id: 'api.1', exitCode: 139 });
    h.exited('worker.1', 0, h.nowMs + 1);
    expect(h.exitCodes()).toEqual([139]);
  });

  it('alone exits at once', () => {
    const h = started([api]);
    h.exited('api.1', 3, 10);
    expect(h.exitCodes()).toEqual([3]);
  });

  it('whose spawn fails ends everything with 127', () => {
    const h = new Harness([api, worker]);
    h.boot(0);
    h.spawned('worker.1', 0);
    h.spawnFailed('api.1', 1);
    expect(h.state.shutdown?.cause).toEqual({ kind: 'critical', id: 'api.1', exitCode: 127 });
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['worker.1']);
    h.exited('worker.1', 0, 2);
    expect(h.exitCodes()).toEqual([127]);
  });
});
