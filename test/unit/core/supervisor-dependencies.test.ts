import { describe, expect, it } from 'vitest';
import type { DependencyCondition, ProbeSpec } from '../../../src/core/model.js';
import { Harness, makeSpec } from './driver.js';

const PROBE: ProbeSpec = {
  check: { kind: 'tcp', host: '127.0.0.1', port: 8000 },
  intervalMs: 1000,
  timeoutMs: 500,
  initialDelayMs: 0,
  failureThreshold: 3,
  successThreshold: 1,
};

function spawnedIds(h: Harness): string[] {
  return h.effectsOfType('SpawnProcess').map((effect) => effect.id);
}

describe('depends_on', () => {
  it('started: pending until the dependency has a pid', () => {
    const h = new Harness([
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
      makeSpec({ name: 'web', readiness: PROBE }),
    ]);
    h.boot(0);
    expect(spawnedIds(h)).toEqual(['web.1']);
    expect(h.status('worker.1').state).toBe('pending');
    h.spawned('web.1', 10);
    expect(spawnedIds(h)).toEqual(['worker.1']);
  });

  it('ready: pending until every instance of the dependency is ready', () => {
    const h = new Harness([
      makeSpec({ name: 'web', instance: 1, readiness: PROBE }),
      makeSpec({ name: 'web', instance: 2, readiness: PROBE }),
      makeSpec({ name: 'worker', dependsOn: { web: 'ready' } }),
    ]);
    h.boot(0);
    expect(spawnedIds(h)).toEqual(['web.1', 'web.2']);
    h.spawned('web.1', 1);
    h.spawned('web.2', 1);
    h.ready('web.1', true, 2);
    expect(spawnedIds(h)).toEqual([]);
    expect(h.status('worker.1').state).toBe('pending');
    h.ready('web.2', true, 3);
    expect(spawnedIds(h)).toEqual(['worker.1']);
  });

  it('ready: a dependency without a readiness probe is ready once it runs', () => {
    const h = new Harness([
      makeSpec({ name: 'web' }),
      makeSpec({ name: 'worker', dependsOn: { web: 'ready' } }),
    ]);
    h.boot(0);
    expect(h.spawned('web.1', 1)).toContainEqual({ type: 'SpawnProcess', id: 'worker.1' });
  });

  it('completed: pending until the dependency exited 0 for good', () => {
    const h = new Harness([
      makeSpec({ name: 'migrate', restart: 'on-failure' }),
      makeSpec({ name: 'web', restart: 'never', dependsOn: { migrate: 'completed' } }),
    ]);
    h.boot(0);
    h.spawned('migrate.1', 0);
    h.exited('migrate.1', 1, 10); // restarted: might still complete
    expect(h.status('web.1').state).toBe('pending');
    h.fire('restart:migrate.1');
    h.spawned('migrate.1');
    h.exited('migrate.1', 0, 2000);
    expect(spawnedIds(h)).toEqual(['web.1']);
    h.spawned('web.1');
    h.exited('web.1', 0, 3000);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('combines conditions on several dependencies', () => {
    const h = new Harness([
      makeSpec({ name: 'migrate', restart: 'never' }),
      makeSpec({ name: 'db', readiness: PROBE }),
      makeSpec({ name: 'web', dependsOn: { migrate: 'completed', db: 'ready' } }),
    ]);
    h.boot(0);
    h.spawned('migrate.1', 0);
    h.spawned('db.1', 0);
    h.ready('db.1', true, 5);
    expect(h.status('web.1').state).toBe('pending');
    h.exited('migrate.1', 0, 10);
    expect(spawnedIds(h)).toEqual(['web.1']);
  });

  it('takes a dependency with no instance selected (--only, formation 0) as satisfied', () => {
    const h = new Harness([makeSpec({ name: 'worker', dependsOn: { web: 'ready' } })]);
    expect(h.boot(0)).toContainEqual({ type: 'SpawnProcess', id: 'worker.1' });
  });

  it.each<[string, DependencyCondition, (h: Harness) => void, number]>([
    ['exits non-zero', 'completed', (h) => h.exited('dep.1', 1, 10), 1],
    ['is killed by a signal', 'completed', (h) => h.killed('dep.1', 'SIGKILL', 10), 137],
    ['exits 0 before it was ever ready', 'ready', (h) => h.exited('dep.1', 0, 10), 0],
    ['cannot be spawned', 'started', (h) => h.spawnFailed('dep.1', 10), 127],
  ])(
    'a dependency that %s (%s): the dependent never starts; procinit still exits (%i)',
    (_label, condition, end, code) => {
      const h = new Harness([
        makeSpec({ name: 'dep', restart: 'never', readiness: PROBE }),
        makeSpec({ name: 'app', dependsOn: { dep: condition } }),
        makeSpec({ name: 'other', restart: 'never' }),
      ]);
      h.boot(0);
      if (condition !== 'started') h.spawned('dep.1', 1);
      h.spawned('other.1', 1);
      end(h);
      expect(h.status('app.1').state).toBe('exited');
      expect(h.status('app.1').everStarted).toBe(false);
      expect(h.logEvents()).toContain('process.never-started');
      expect(h.effectsOfType('SpawnProcess', { all: true }).map((effect) => effect.id)).not.toContain(
        'app.1',
      );
      expect(h.exitCodes()).toEqual([]);
      h.exited('other.1', 0, 20);
      expect(h.exitCodes()).toEqual([code]);
      expect(h.state.phase).toBe('exited');
    },
  );

  it('a dependency that failed (max_restarts) means the dependent never starts', () => {
    const h = new Harness([
      makeSpec({
        name: 'dep',
        maxRestarts: 1,
        readiness: PROBE,
        backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 },
      }),
      makeSpec({ name: 'app', dependsOn: { dep: 'ready' } }),
    ]);
    h.boot(0);
    h.spawned('dep.1', 0);
    h.exited('dep.1', 1, 1);
    h.fire('restart:dep.1');
    h.spawned('dep.1', 1);
    h.exited('dep.1', 2, 2);
    expect(h.status('dep.1').state).toBe('failed');
    expect(h.status('app.1').state).toBe('exited');
    expect(h.exitCodes()).toEqual([2]);
  });

  it('never-started spreads down a chain, whatever the Procfile order', () => {
    const h = new Harness([
      makeSpec({ name: 'worker', dependsOn: { web: 'started' } }),
      makeSpec({ name: 'web', dependsOn: { migrate: 'completed' } }),
      makeSpec({ name: 'migrate', restart: 'never' }),
    ]);
    h.boot(0);
    h.spawned('migrate.1', 0);
    h.exited('migrate.1', 1, 10);
    expect(h.state.order.map((id) => h.status(id).state)).toEqual(['exited', 'exited', 'exited']);
    expect(h.exitCodes()).toEqual([1]);
  });

  it('keeps waiting on a dependency that is in backoff', () => {
    const h = new Harness([
      makeSpec({ name: 'db', readiness: PROBE }),
      makeSpec({ name: 'web', dependsOn: { db: 'ready' } }),
    ]);
    h.boot(0);
    h.spawned('db.1', 0);
    h.exited('db.1', 1, 10);
    expect(h.status('web.1').state).toBe('pending');
    h.fire('restart:db.1');
    h.spawned('db.1');
    h.ready('db.1', true, 2000);
    expect(spawnedIds(h)).toEqual(['web.1']);
  });
});
