import { describe, expect, it } from 'vitest';
import {
  healthHttpStatus,
  healthSnapshot,
  liveness,
  livez,
  type OverallStatus,
  overallStatus,
} from '../../../src/core/health.js';
import type { ProbeSpec } from '../../../src/core/model.js';
import type { SupervisorState } from '../../../src/core/supervisor-state.js';
import { Harness, makeSpec, started } from './driver.js';

const PROBE: ProbeSpec = {
  check: { kind: 'http', url: 'http://127.0.0.1:8000/health' },
  intervalMs: 2000,
  timeoutMs: 1000,
  initialDelayMs: 0,
  failureThreshold: 3,
  successThreshold: 1,
};

const web = (overrides = {}) => makeSpec({ name: 'web', readiness: PROBE, ...overrides });
const worker = (overrides = {}) => makeSpec({ name: 'worker', ...overrides });
const migrate = (overrides = {}) => makeSpec({ name: 'migrate', restart: 'never', ...overrides });

/** web (with a readiness probe) and worker (without), both running and ready. */
function allReady(options: { drainMs?: number } = {}): Harness {
  const h = started([web(), worker()], options);
  h.ready('web.1', true, 10);
  return h;
}

interface Case {
  what: string;
  state: () => SupervisorState;
}

const CASES: Record<OverallStatus, Case[]> = {
  starting: [
    { what: 'before the first spawn', state: () => new Harness([web(), worker()]).state },
    { what: 'running, readiness probe not passed yet', state: () => started([web(), worker()]).state },
    {
      what: 'a dependent pending until its dependency is ready',
      state: () => {
        const h = started([web(), worker({ dependsOn: { web: 'ready' } })]);
        return h.state;
      },
    },
    {
      what: 'a one-shot still running, its probe not passed yet, the rest ready',
      state: () => started([migrate({ readiness: PROBE }), worker()]).state,
    },
  ],
  healthy: [
    { what: 'every process running and ready', state: () => allReady().state },
    { what: 'processes without readiness probes, once spawned', state: () => started([worker()]).state },
    {
      what: 'a one-shot that exited 0 and will not restart',
      state: () => {
        const h = started([migrate(), worker()]);
        h.exited('migrate.1', 0, 50);
        return h.state;
      },
    },
    {
      what: 'a one-shot that exited 0 before the others were ready',
      state: () => {
        const h = started([migrate(), web()]);
        h.exited('migrate.1', 0, 5);
        h.ready('web.1', true, 10);
        return h.state;
      },
    },
    {
      what: 'restart: on-failure, exited 0',
      state: () => {
        const h = started([worker({ restart: 'on-failure' }), migrate({ name: 'cron' })]);
        h.exited('worker.1', 0, 50);
        return h.state;
      },
    },
    {
      what: 'a restarted process that is ready again',
      state: () => {
        const h = allReady();
        h.exited('worker.1', 1, 100);
        h.fire('restart:worker.1');
        h.spawned('worker.1');
        return h.state;
      },
    },
  ],
  unhealthy: [
    {
      what: 'a process in backoff',
      state: () => {
        const h = allReady();
        h.exited('worker.1', 1, 100);
        return h.state;
      },
    },
    {
      what: 'a process in backoff after exiting 0 (restart: always)',
      state: () => {
        const h = allReady();
        h.exited('worker.1', 0, 100);
        return h.state;
      },
    },
    {
      what: 'a crash before everything was ever ready',
      state: () => {
        const h = started([web(), worker()]);
        h.exited('worker.1', 1, 100);
        return h.state;
      },
    },
    {
      what: 'a failed process (max_restarts reached)',
      state: () => {
        const h = started([worker({ maxRestarts: 1 }), web()]);
        h.ready('web.1', true, 1);
        h.exited('worker.1', 1, 10);
        h.fire('restart:worker.1');
        h.spawned('worker.1');
        h.exited('worker.1', 1, h.nowMs + 10);
        expect(h.status('worker.1').state).toBe('failed');
        return h.state;
      },
    },
    {
      what: 'a process that exited non-zero and will not restart',
      state: () => {
        const h = started([worker({ restart: 'on-failure', maxRestarts: 0 }), migrate({ name: 'cron' })]);
        h.exited('cron.1', 3, 50);
        return h.state;
      },
    },
    {
      what: 'a one-shot that exited non-zero',
      state: () => {
        const h = started([migrate(), worker()]);
        h.exited('migrate.1', 2, 50);
        return h.state;
      },
    },
    {
      what: 'a one-shot killed by a signal',
      state: () => {
        const h = started([migrate(), worker()]);
        h.killed('migrate.1', 'SIGKILL', 50);
        return h.state;
      },
    },
    {
      what: 'a process that lost its readiness',
      state: () => {
        const h = allReady();
        h.ready('web.1', false, 200);
        return h.state;
      },
    },
    {
      what: 'a restarted process not ready again yet',
      state: () => {
        const h = allReady();
        h.exited('web.1', 1, 100);
        h.fire('restart:web.1');
        h.spawned('web.1');
        return h.state;
      },
    },
    {
      what: 'a process that never started because its dependency ended',
      state: () => {
        // migrate must become ready first, but exits without ever passing its probe.
        const h = started([
          migrate({ readiness: PROBE }),
          worker(),
          web({ dependsOn: { migrate: 'ready' } }),
        ]);
        h.exited('migrate.1', 0, 50);
        expect(h.status('web.1')).toMatchObject({ state: 'exited', lastExit: null });
        return h.state;
      },
    },
  ],
  stopping: [
    {
      what: 'draining after SIGTERM',
      state: () => {
        const h = allReady({ drainMs: 5000 });
        h.signal('SIGTERM', 300);
        expect(h.state.phase).toBe('draining');
        return h.state;
      },
    },
    {
      what: 'stopping after SIGTERM',
      state: () => {
        const h = allReady();
        h.signal('SIGTERM', 300);
        expect(h.state.phase).toBe('stopping');
        return h.state;
      },
    },
    {
      what: 'shutting down while a process is in backoff (first match wins)',
      state: () => {
        const h = allReady({ drainMs: 5000 });
        h.ready('web.1', false, 200);
        h.signal('SIGTERM', 300);
        return h.state;
      },
    },
    {
      what: 'a critical process ended',
      state: () => {
        const h = started([web({ critical: true, restart: 'never' }), worker()]);
        h.exited('web.1', 4, 100);
        return h.state;
      },
    },
    {
      what: 'everything has ended',
      state: () => {
        const h = started([migrate()]);
        h.exited('migrate.1', 0, 50);
        expect(h.state.phase).toBe('exited');
        return h.state;
      },
    },
  ],
};

const TABLE = Object.entries(CASES).flatMap(([expected, cases]) =>
  cases.map((c) => ({ ...c, expected: expected as OverallStatus })),
);

describe('overallStatus', () => {
  it.each(TABLE)('$expected: $what', ({ state, expected }) => {
    expect(overallStatus(state())).toBe(expected);
  });

  it.each([
    ['healthy', 200],
    ['starting', 503],
    ['unhealthy', 503],
    ['stopping', 503],
  ] as const)('%s is HTTP %i', (status, code) => {
    expect(healthHttpStatus(status)).toBe(code);
  });
});

describe('livez', () => {
  it.each([
    { what: 'starting', state: () => started([web()]).state, code: 200 },
    { what: 'healthy', state: () => allReady().state, code: 200 },
    {
      what: 'unhealthy: a process in backoff is restarted, procinit itself is alive',
      state: () => {
        const h = allReady();
        h.exited('worker.1', 1, 100);
        return h.state;
      },
      code: 200,
    },
    {
      what: 'a non-critical process failed',
      state: () => {
        const h = started([worker({ restart: 'never' }), web()]);
        h.exited('worker.1', 1, 10);
        return h.state;
      },
      code: 200,
    },
    {
      what: 'stopping',
      state: () => {
        const h = allReady({ drainMs: 1000 });
        h.signal('SIGTERM', 100);
        return h.state;
      },
      code: 503,
    },
  ])('$what → $code', ({ state, code }) => {
    expect(livez(state())).toBe(code);
  });

  it('names the critical process that failed while procinit still runs', () => {
    // The core shuts down at once when a critical process fails; this is the state the health
    // server could see if a failed critical process did not (yet) stop everything.
    const h = allReady();
    const crashed = {
      ...h.state.processes['web.1']!,
      spec: { ...h.state.processes['web.1']!.spec, critical: true },
    };
    const state: SupervisorState = {
      ...h.state,
      processes: { ...h.state.processes, 'web.1': { ...crashed, state: 'failed', pid: null } },
    };
    expect(liveness(state)).toEqual({ live: false, reason: 'critical-failed', process: 'web.1' });
    expect(livez(state)).toBe(503);
  });

  it('says why it is not alive during shutdown', () => {
    const h = allReady();
    h.signal('SIGINT', 5);
    expect(liveness(h.state)).toEqual({ live: false, reason: 'stopping' });
  });
});

describe('healthSnapshot', () => {
  const START_MS = Date.parse('2026-11-22T10:00:00.000Z');
  const context = { nowMs: START_MS + 42_149, startedAtMs: START_MS, version: '0.1.0' };

  it('is the body of SPEC §6', () => {
    const h = new Harness([web(), worker({ instance: 2 })]);
    h.boot(START_MS);
    h.spawned('web.1', START_MS + 100, 17);
    h.spawned('worker.2', START_MS + 200, 18);
    h.ready('web.1', true, START_MS + 300);
    h.exited('worker.2', 1, START_MS + 1000);
    h.fire('restart:worker.2');
    h.spawned('worker.2', START_MS + 2000, 19);
    h.killed('worker.2', 'SIGKILL', START_MS + 3000);
    expect(healthSnapshot(h.state, context)).toEqual({
      status: 'unhealthy',
      uptime_s: 42.1,
      version: '0.1.0',
      processes: [
        {
          id: 'web.1',
          name: 'web',
          instance: 1,
          state: 'running',
          ready: true,
          pid: 17,
          restarts: 0,
          started_at: '2026-11-22T10:00:00.100Z',
          last_exit: null,
        },
        {
          id: 'worker.2',
          name: 'worker',
          instance: 2,
          state: 'backoff',
          ready: false,
          pid: null,
          restarts: 1,
          started_at: '2026-11-22T10:00:02.000Z',
          last_exit: { code: null, signal: 'SIGKILL', at: '2026-11-22T10:00:03.000Z' },
        },
      ],
    });
  });

  it('gives null for what has not happened yet', () => {
    const body = healthSnapshot(new Harness([web()]).state, { ...context, nowMs: START_MS });
    expect(body).toMatchObject({ status: 'starting', uptime_s: 0 });
    expect(body.processes[0]).toMatchObject({
      state: 'pending',
      pid: null,
      started_at: null,
      last_exit: null,
    });
  });

  it('never reports a negative uptime when the clock steps back', () => {
    expect(healthSnapshot(allReady().state, { ...context, nowMs: START_MS - 5000 }).uptime_s).toBe(0);
  });

  it('contains no environment value and no command', () => {
    const secretSpec = makeSpec({
      name: 'api',
      command: 'gunicorn --password=hunter2-cmd app:app',
      argv: ['/bin/sh', '-c', 'exec gunicorn --password=hunter2-cmd app:app'],
      env: { DATABASE_URL: 'postgres://u:hunter2-env@db/app', PLAIN: 'plain-value-xyz' },
      cwd: '/srv/hunter2-cwd',
    });
    const h = started([secretSpec]);
    h.exited('api.1', 1, 10);
    const text = JSON.stringify(healthSnapshot(h.state, context));
    for (const leak of ['hunter2', 'plain-value-xyz', 'gunicorn', 'DATABASE_URL', '/bin/sh', '/srv']) {
      expect(text).not.toContain(leak);
    }
    expect(Object.keys(JSON.parse(text).processes[0]).sort()).toEqual(
      ['id', 'instance', 'last_exit', 'name', 'pid', 'ready', 'restarts', 'started_at', 'state'].sort(),
    );
  });
});
