import { describe, expect, it } from 'vitest';
import type { SignalName } from '../../../src/core/model.js';
import { Harness, makeSpec, started } from './driver.js';

const web = makeSpec({ name: 'web', signalTarget: 'group', stopTimeoutMs: 8000 });
const worker1 = makeSpec({ name: 'worker', instance: 1, stopTimeoutMs: 30_000 });
const worker2 = makeSpec({ name: 'worker', instance: 2, stopTimeoutMs: 30_000 });

describe('a shutdown signal', () => {
  it('sends SIGTERM to every running process by its target and starts its stop timeout', () => {
    const h = started([web, worker1, worker2]);
    const effects = h.signal('SIGTERM', 50);
    expect(h.state.phase).toBe('stopping');
    expect(effects.filter((effect) => effect.type !== 'Log')).toEqual([
      { type: 'SendSignal', id: 'web.1', pid: h.pid('web.1'), signal: 'SIGTERM', target: 'group' },
      { type: 'StartTimer', key: 'stop-timeout:web.1', delayMs: 8000 },
      { type: 'SendSignal', id: 'worker.1', pid: h.pid('worker.1'), signal: 'SIGTERM', target: 'process' },
      { type: 'StartTimer', key: 'stop-timeout:worker.1', delayMs: 30_000 },
      { type: 'SendSignal', id: 'worker.2', pid: h.pid('worker.2'), signal: 'SIGTERM', target: 'process' },
      { type: 'StartTimer', key: 'stop-timeout:worker.2', delayMs: 30_000 },
    ]);
    expect(h.state.order.map((id) => h.status(id).state)).toEqual(['stopping', 'stopping', 'stopping']);
    expect(h.logEvents()).toContain('shutdown.started');
  });

  it.each<[SignalName, SignalName | undefined, SignalName]>([
    ['SIGTERM', undefined, 'SIGTERM'],
    ['SIGINT', undefined, 'SIGINT'],
    ['SIGQUIT', undefined, 'SIGTERM'],
    ['SIGTERM', 'SIGQUIT', 'SIGQUIT'],
    ['SIGINT', 'SIGTERM', 'SIGTERM'],
    ['SIGINT', 'SIGUSR1', 'SIGUSR1'],
  ])('on %s with stop_signal %s sends %s', (received, stopSignal, sent) => {
    const h = started([makeSpec(stopSignal ? { stopSignal } : {})]);
    h.signal(received);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.signal)).toEqual([sent]);
  });

  it('finishes with exit 0 once every process has exited, stopping their timers', () => {
    const h = started([web, worker1]);
    h.signal('SIGTERM', 10);
    h.killed('web.1', 'SIGTERM', 20);
    expect(h.effectsOfType('CancelTimer')).toEqual([{ type: 'CancelTimer', key: 'stop-timeout:web.1' }]);
    expect(h.exitCodes()).toEqual([]);
    h.exited('worker.1', 0, 30);
    expect(h.effectsOfType('Exit')).toEqual([{ type: 'Exit', code: 0 }]);
    expect(h.pendingTimers()).toEqual([]);
    expect(h.state).toMatchObject({ phase: 'exited', exitCode: 0 });
  });

  it('logs a run that ends as asked at info, and a crash at warn', () => {
    const levelOf = (h: ReturnType<typeof started>, id: string) =>
      h
        .effectsOfType('Log', { all: true })
        .filter((effect) => effect.event === 'process.exited' && effect.fields.process === id)
        .map((effect) => effect.level);
    const h = started([web, worker1]);
    h.exited('worker.1', 3, 5);
    expect(levelOf(h, 'worker.1')).toEqual(['warn']);
    h.signal('SIGTERM', 10);
    h.killed('web.1', 'SIGTERM', 20);
    expect(levelOf(h, 'web.1')).toEqual(['info']);
  });

  it('does not restart what exits during shutdown', () => {
    const h = started([makeSpec({ restart: 'always' }), makeSpec({ name: 'other' })]);
    h.signal('SIGTERM');
    h.exited('web.1', 1, 5);
    expect(h.status('web.1').state).toBe('exited');
    expect(h.effectsOfType('StartTimer')).toEqual([]);
  });

  it('turns processes in backoff or pending into exited and cancels their restart timers', () => {
    const h = started([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'crasher' }),
      makeSpec({ name: 'waiter', dependsOn: { gate: 'ready' } }),
      makeSpec({
        name: 'gate',
        readiness: {
          check: { kind: 'tcp', host: 'h', port: 1 },
          intervalMs: 1,
          timeoutMs: 1,
          initialDelayMs: 0,
          failureThreshold: 1,
          successThreshold: 1,
        },
      }),
    ]);
    h.exited('crasher.1', 1, 10);
    expect(h.status('crasher.1').state).toBe('backoff');
    expect(h.status('waiter.1').state).toBe('pending');
    h.signal('SIGTERM', 20);
    expect(h.effectsOfType('CancelTimer')).toEqual([{ type: 'CancelTimer', key: 'restart:crasher.1' }]);
    expect(h.status('crasher.1').state).toBe('exited');
    expect(h.status('waiter.1').state).toBe('exited');
    expect(h.pendingTimers().map((timer) => timer.key)).toEqual([
      'stop-timeout:web.1',
      'stop-timeout:gate.1',
    ]);
    h.exited('web.1', 0, 30);
    h.exited('gate.1', 0, 30);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('waits for a process still being spawned, then stops it', () => {
    const h = started([makeSpec({ name: 'web' })]);
    h.exited('web.1', 1, 10);
    h.fire('restart:web.1');
    expect(h.status('web.1').state).toBe('starting');
    h.signal('SIGTERM', 1500);
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    expect(h.exitCodes()).toEqual([]);
    h.spawned('web.1', 1600, 4242);
    expect(h.effectsOfType('SendSignal')).toEqual([
      { type: 'SendSignal', id: 'web.1', pid: 4242, signal: 'SIGTERM', target: 'process' },
    ]);
    h.exited('web.1', 0, 1700);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('finishes when a process being spawned at shutdown fails to spawn', () => {
    const h = started([makeSpec({ name: 'web' })]);
    h.exited('web.1', 1, 10);
    h.fire('restart:web.1');
    h.signal('SIGTERM', 1500);
    h.spawnFailed('web.1', 1501);
    expect(h.status('web.1').state).toBe('exited');
    expect(h.exitCodes()).toEqual([0]);
  });

  it('finishes at once when nothing runs', () => {
    const h = started([makeSpec({ name: 'web', restart: 'always' }), makeSpec({ name: 'other' })]);
    h.exited('web.1', 1, 10);
    h.exited('other.1', 1, 10);
    h.signal('SIGTERM', 20);
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    expect(h.effectsOfType('Exit')).toEqual([{ type: 'Exit', code: 0 }]);
  });
});

describe('shutdown order', () => {
  it('stops a dependent before what it depends on', () => {
    const h = started([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
    ]);
    h.spawnStarting(); // worker started once web had
    h.signal('SIGTERM', 10);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['worker.1']);
    expect(h.status('web.1').state).toBe('running');
    h.exited('worker.1', 0, 20);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['web.1']);
    h.exited('web.1', 0, 30);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('walks a chain from the top, whatever the Procfile order', () => {
    const h = started([
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
      makeSpec({ name: 'db' }),
      makeSpec({ name: 'web', dependsOn: { db: 'started' } }),
    ]);
    h.spawnStarting();
    h.spawnStarting();
    expect(h.state.order.map((id) => h.status(id).state)).toEqual(['running', 'running', 'running']);
    const signalled: string[][] = [];
    signalled.push(
      h.signal('SIGTERM', 10).flatMap((effect) => (effect.type === 'SendSignal' ? [effect.id] : [])),
    );
    for (const id of ['worker.1', 'web.1', 'db.1']) {
      signalled.push(
        h.exited(id, 0, h.nowMs + 1).flatMap((effect) => (effect.type === 'SendSignal' ? [effect.id] : [])),
      );
    }
    expect(signalled).toEqual([['worker.1'], ['web.1'], ['db.1'], []]);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('waits for every instance of a dependent', () => {
    const h = started(
      [makeSpec({ name: 'web' }), worker1, worker2].map((spec) =>
        spec.name === 'worker' ? { ...spec, dependsOn: { web: 'started' as const } } : spec,
      ),
    );
    h.spawnStarting();
    h.signal('SIGTERM');
    h.exited('worker.1', 0);
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    h.exited('worker.2', 0);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['web.1']);
  });

  it('stops a dependency only after a dependent that was still being spawned', () => {
    const h = new Harness([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
    ]);
    h.boot(0);
    h.spawned('web.1', 0);
    expect(h.status('worker.1').state).toBe('starting');
    h.signal('SIGTERM', 10);
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    h.spawned('worker.1', 11);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['worker.1']);
    h.exited('worker.1', 0, 12);
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['web.1']);
  });
});

describe('drain', () => {
  it('signals nothing until the drain timer fires', () => {
    const h = started([web, worker1], { drainMs: 5000 });
    const effects = h.signal('SIGTERM', 100);
    expect(h.state.phase).toBe('draining');
    expect(effects).toContainEqual({ type: 'StartTimer', key: 'drain', delayMs: 5000 });
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    h.fire('drain');
    expect(h.nowMs).toBe(5100);
    expect(h.state.phase).toBe('stopping');
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['web.1', 'worker.1']);
  });

  it('applies to a shutdown caused by a critical process too', () => {
    const h = started([makeSpec({ name: 'api', critical: true, restart: 'never' }), worker1], {
      drainMs: 2000,
    });
    h.exited('api.1', 3, 10);
    expect(h.state.phase).toBe('draining');
    expect(h.effectsOfType('SendSignal')).toEqual([]);
    h.fire('drain');
    expect(h.effectsOfType('SendSignal').map((effect) => effect.id)).toEqual(['worker.1']);
  });

  it('is cut short by a second SIGTERM, which escalates at once', () => {
    const h = started([web, worker1], { drainMs: 5000 });
    h.signal('SIGTERM', 100);
    h.signal('SIGTERM', 200);
    expect(h.state.phase).toBe('stopping');
    expect(h.effectsOfType('KillProcessTree').map((effect) => effect.id)).toEqual(['web.1', 'worker.1']);
  });
});

describe('escalation', () => {
  it('sends KillProcessTree when the stop timeout fires', () => {
    const h = started([web, worker1]);
    h.signal('SIGTERM', 0);
    h.exited('worker.1', 0, 10);
    h.fire('stop-timeout:web.1');
    expect(h.nowMs).toBe(8000);
    expect(h.effectsOfType('KillProcessTree')).toEqual([
      { type: 'KillProcessTree', id: 'web.1', pid: h.pid('web.1') },
    ]);
    expect(h.logEvents()).toContain('shutdown.escalated');
    expect(h.state.shutdown?.escalated).toBe(true);
    h.killed('web.1', 'SIGKILL', 8001);
    expect(h.exitCodes()).toEqual([1]);
  });

  it('ignores a stop timeout for a process that has already exited', () => {
    const h = started([web, worker1]);
    h.signal('SIGTERM', 0);
    h.exited('web.1', 0, 10);
    expect(h.send({ type: 'TimerFired', key: 'stop-timeout:web.1', nowMs: 8000 })).toEqual([]);
    h.exited('worker.1', 0, 8001);
    expect(h.exitCodes()).toEqual([0]);
  });

  it.each<[SignalName, SignalName]>([
    ['SIGTERM', 'SIGTERM'],
    ['SIGTERM', 'SIGINT'],
    ['SIGINT', 'SIGINT'],
    ['SIGINT', 'SIGTERM'],
    ['SIGQUIT', 'SIGTERM'],
  ])('%s then %s: KillProcessTree for every live process at once', (first, second) => {
    const h = started([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
    ]);
    h.spawnStarting();
    h.signal(first, 10);
    h.exited('worker.1', 0, 20);
    h.signal(second, 30);
    expect(h.effectsOfType('KillProcessTree')).toEqual([
      { type: 'KillProcessTree', id: 'web.1', pid: h.pid('web.1') },
    ]);
    h.killed('web.1', 'SIGKILL', 40);
    expect(h.exitCodes()).toEqual([1]);
  });

  it.each<[SignalName, SignalName]>([
    ['SIGQUIT', 'SIGQUIT'],
    ['SIGTERM', 'SIGQUIT'],
  ])('%s then %s does not escalate', (first, second) => {
    const h = started([web]);
    h.signal(first, 10);
    expect(h.signal(second, 20)).toEqual([]);
    h.exited('web.1', 0, 30);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('does not escalate on the first signal of a shutdown a critical process started', () => {
    const h = started([makeSpec({ name: 'api', critical: true, restart: 'never' }), worker1]);
    h.exited('api.1', 5, 10);
    h.signal('SIGTERM', 20); // docker stop, while procinit already stops gracefully
    expect(h.effectsOfType('KillProcessTree')).toEqual([]);
    h.signal('SIGTERM', 30); // a second one means "now"
    expect(h.effectsOfType('KillProcessTree').map((effect) => effect.id)).toEqual(['worker.1']);
    h.killed('worker.1', 'SIGKILL', 40);
    expect(h.exitCodes()).toEqual([5]);
  });
});

describe('Exit', () => {
  it('is emitted exactly once, and nothing happens after it', () => {
    const h = started([web, worker1]);
    h.signal('SIGTERM', 0);
    h.exited('web.1', 0, 1);
    h.exited('worker.1', 0, 2);
    expect(h.exitCodes()).toEqual([0]);
    const stepsBefore = h.steps.length;
    for (const effects of [
      h.signal('SIGTERM', 3),
      h.signal('SIGHUP', 3),
      h.boot(3),
      h.spawned('web.1', 4),
      h.exited('web.1', 1, 5),
      h.send({ type: 'TimerFired', key: 'stop-timeout:web.1', nowMs: 8000 }),
      h.send({ type: 'TimerFired', key: 'drain', nowMs: 8000 }),
    ]) {
      expect(effects).toEqual([]);
    }
    expect(h.steps.length).toBe(stepsBefore + 7);
    expect(h.exitCodes()).toEqual([0]);
    expect(h.state.phase).toBe('exited');
  });
});
