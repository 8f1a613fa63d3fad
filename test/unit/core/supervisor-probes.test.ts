import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../../src/core/model.js';
import { Harness, makeSpec, started } from './driver.js';

const PROBE: ProbeSpec = {
  check: { kind: 'http', url: 'http://127.0.0.1:8000/health' },
  intervalMs: 2000,
  timeoutMs: 1000,
  initialDelayMs: 0,
  failureThreshold: 3,
  successThreshold: 1,
};

describe('liveness failure', () => {
  it('stops the run and restarts it, even with restart: never', () => {
    const h = started([
      makeSpec({ name: 'web', restart: 'never', signalTarget: 'group', stopTimeoutMs: 5000 }),
    ]);
    const pid = h.pid('web.1');
    const effects = h.livenessFailed('web.1', 100);
    expect(effects.filter((effect) => effect.type !== 'Log')).toEqual([
      { type: 'SendSignal', id: 'web.1', pid, signal: 'SIGTERM', target: 'group' },
      { type: 'StartTimer', key: 'stop-timeout:web.1', delayMs: 5000 },
    ]);
    expect(h.logEvents()).toContain('probe.liveness-failed');
    h.killed('web.1', 'SIGTERM', 200);
    expect(h.effectsOfType('CancelTimer')).toEqual([{ type: 'CancelTimer', key: 'stop-timeout:web.1' }]);
    expect(h.status('web.1').state).toBe('backoff');
    expect(h.effectsOfType('StartTimer')).toEqual([
      { type: 'StartTimer', key: 'restart:web.1', delayMs: 1000 },
    ]);
    h.fire('restart:web.1');
    expect(h.effectsOfType('SpawnProcess')).toEqual([{ type: 'SpawnProcess', id: 'web.1' }]);
    h.spawned('web.1');
    expect(h.status('web.1')).toMatchObject({ state: 'running', restarts: 1, restartRequested: false });
    // The next run ends on its own: restart: never applies again.
    h.exited('web.1', 0, 5000);
    expect(h.status('web.1').state).toBe('exited');
    expect(h.exitCodes()).toEqual([0]);
  });

  it('uses the configured stop signal', () => {
    const h = started([makeSpec({ stopSignal: 'SIGQUIT' })]);
    h.livenessFailed('web.1');
    expect(h.effectsOfType('SendSignal').map((effect) => effect.signal)).toEqual(['SIGQUIT']);
  });

  it('escalates to KillProcessTree when the run outlives its stop timeout, without a shutdown', () => {
    const h = started([makeSpec()]);
    const pid = h.pid('web.1');
    h.livenessFailed('web.1', 0);
    h.fire('stop-timeout:web.1');
    expect(h.effectsOfType('KillProcessTree')).toEqual([{ type: 'KillProcessTree', id: 'web.1', pid }]);
    expect(h.state).toMatchObject({ phase: 'running', shutdown: null });
    h.killed('web.1', 'SIGKILL', 8001);
    expect(h.status('web.1').state).toBe('backoff');
  });

  it('is not acted on twice while the run is ending', () => {
    const h = started([makeSpec()]);
    h.livenessFailed('web.1', 0);
    expect(h.livenessFailed('web.1', 10)).toEqual([]);
  });

  it('is ignored during shutdown and for a process without a pid', () => {
    const h = started([makeSpec(), makeSpec({ name: 'job' })]);
    h.exited('job.1', 1, 5);
    expect(h.livenessFailed('job.1', 6)).toEqual([]);
    h.signal('SIGTERM', 10);
    expect(h.livenessFailed('web.1', 11)).toEqual([]);
  });

  it('does not SIGKILL the next run when its old stop timeout arrives late', () => {
    const h = started([makeSpec({ backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 } })]);
    h.livenessFailed('web.1', 0);
    h.killed('web.1', 'SIGTERM', 10);
    h.fire('restart:web.1');
    h.spawned('web.1', 10);
    // The timer callback had queued its event before CancelTimer reached the runtime.
    expect(h.send({ type: 'TimerFired', key: 'stop-timeout:web.1', nowMs: 8000 })).toEqual([]);
  });

  it('counts towards max_restarts', () => {
    const h = started([
      makeSpec({ critical: true, maxRestarts: 1, backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 } }),
    ]);
    h.livenessFailed('web.1', 0);
    h.killed('web.1', 'SIGTERM', 1);
    h.fire('restart:web.1');
    h.spawned('web.1');
    h.livenessFailed('web.1', 2);
    h.killed('web.1', 'SIGTERM', 3);
    expect(h.status('web.1').state).toBe('failed');
    expect(h.exitCodes()).toEqual([143]);
  });
});

describe('forwarded signals', () => {
  it.each(['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGTTIN', 'SIGTTOU'] as const)(
    '%s goes to every live process by its target, unchanged',
    (signal) => {
      const h = started([
        makeSpec({ name: 'web', signalTarget: 'group' }),
        makeSpec({ name: 'worker', signalTarget: 'process' }),
        makeSpec({ name: 'job', restart: 'never' }),
        makeSpec({ name: 'crasher' }),
      ]);
      h.exited('job.1', 0, 5);
      h.exited('crasher.1', 1, 5);
      const effects = h.signal(signal, 10);
      expect(effects).toEqual([
        { type: 'SendSignal', id: 'web.1', pid: h.pid('web.1'), signal, target: 'group' },
        { type: 'SendSignal', id: 'worker.1', pid: h.pid('worker.1'), signal, target: 'process' },
      ]);
      expect(h.state.phase).toBe('running');
    },
  );

  it('also reaches processes that are stopping', () => {
    const h = started([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
    ]);
    h.spawnStarting();
    h.signal('SIGTERM', 10);
    expect(h.signal('SIGHUP', 11).map((effect) => effect.type === 'SendSignal' && effect.id)).toEqual([
      'web.1',
      'worker.1',
    ]);
  });

  it.each(['SIGCHLD', 'SIGPIPE', 'SIGALRM', 'SIGCONT'] as const)(
    '%s is neither forwarded nor a shutdown',
    (signal) => {
      const h = started([makeSpec()]);
      expect(h.signal(signal)).toEqual([]);
      expect(h.state.phase).toBe('running');
    },
  );
});

describe('readiness and everAllReady', () => {
  it('is set once every process is running, when none has a readiness probe', () => {
    const h = new Harness([makeSpec({ name: 'web' }), makeSpec({ name: 'worker' })]);
    h.boot(0);
    expect(h.state.everAllReady).toBe(false);
    h.spawned('web.1');
    expect(h.status('web.1')).toMatchObject({ ready: true, everReady: true });
    expect(h.state.everAllReady).toBe(false);
    h.spawned('worker.1');
    expect(h.state.everAllReady).toBe(true);
  });

  it('needs every process ready at the same time once, and then stays set', () => {
    const h = started([makeSpec({ name: 'a', readiness: PROBE }), makeSpec({ name: 'b', readiness: PROBE })]);
    expect(h.status('a.1')).toMatchObject({ ready: false, everReady: false });
    h.ready('a.1', true, 10);
    h.ready('a.1', false, 20);
    h.ready('b.1', true, 30);
    expect(h.state.everAllReady).toBe(false);
    expect(h.status('a.1')).toMatchObject({ ready: false, everReady: true });
    h.ready('a.1', true, 40);
    expect(h.state.everAllReady).toBe(true);
    h.ready('b.1', false, 50);
    h.exited('a.1', 1, 60);
    expect(h.state.everAllReady).toBe(true);
  });

  it('counts a one-shot that exited 0 as fine, one that exited non-zero as not', () => {
    const ok = started([
      makeSpec({ name: 'migrate', restart: 'never' }),
      makeSpec({ name: 'web', readiness: PROBE }),
    ]);
    ok.exited('migrate.1', 0, 10);
    ok.ready('web.1', true, 20);
    expect(ok.state.everAllReady).toBe(true);
    const bad = started([
      makeSpec({ name: 'migrate', restart: 'never' }),
      makeSpec({ name: 'web', readiness: PROBE }),
    ]);
    bad.exited('migrate.1', 1, 10);
    bad.ready('web.1', true, 20);
    expect(bad.state.everAllReady).toBe(false);
  });

  it('does not count a process in backoff', () => {
    const h = started([makeSpec({ name: 'a' }), makeSpec({ name: 'b', readiness: PROBE })]);
    h.exited('a.1', 0, 10);
    h.ready('b.1', true, 20);
    expect(h.state.everAllReady).toBe(false);
  });

  it('is not set during shutdown', () => {
    const h = started([makeSpec({ name: 'a', readiness: PROBE })]);
    h.signal('SIGTERM', 10);
    h.ready('a.1', true, 20);
    expect(h.state.everAllReady).toBe(false);
  });

  it('is cleared on exit, and a report for a process without a pid is ignored', () => {
    const h = started([makeSpec({ name: 'a', readiness: PROBE })]);
    h.ready('a.1', true, 10);
    h.exited('a.1', 1, 20);
    expect(h.status('a.1').ready).toBe(false);
    expect(h.ready('a.1', true, 30)).toEqual([]);
    expect(h.status('a.1').ready).toBe(false);
  });

  it('restarts unready: a new run with a probe starts not ready', () => {
    const h = started([makeSpec({ name: 'a', readiness: PROBE })]);
    h.ready('a.1', true, 10);
    h.exited('a.1', 1, 20);
    h.fire('restart:a.1');
    h.spawned('a.1');
    expect(h.status('a.1')).toMatchObject({ ready: false, everReady: true, everStarted: true });
  });
});
