import { describe, expect, it } from 'vitest';
import type { SignalName } from '../../../src/core/model.js';
import { shutdownExitCode } from '../../../src/core/shutdown.js';
import { Harness, makeSpec, started } from './driver.js';

const api = makeSpec({ name: 'api', critical: true, restart: 'never' });
const worker = makeSpec({ name: 'worker', stopTimeoutMs: 30_000 });
const once = (name: string) => makeSpec({ name, restart: 'never' });

/** Each row: the processes, what happens after they all started, the one exit code expected. */
const SPEC_8: [string, Parameters<typeof started>, (h: Harness) => void, number][] = [
  [
    'signal shutdown, all stopped within their timeout (whatever their codes)',
    [[once('a'), worker, makeSpec({ name: 'b' })]],
    (h) => {
      h.signal('SIGTERM', 10);
      h.killed('a.1', 'SIGTERM', 11);
      h.exited('worker.1', 143, 12);
      h.exited('b.1', 1, 13);
    },
    0,
  ],
  [
    'signal shutdown that needed SIGKILL (stop timeout fired)',
    [[once('a'), worker]],
    (h) => {
      h.signal('SIGTERM', 10);
      h.exited('a.1', 0, 11);
      h.fire('stop-timeout:worker.1');
      h.killed('worker.1', 'SIGKILL');
    },
    1,
  ],
  [
    'signal shutdown cut short by a second SIGINT',
    [[worker]],
    (h) => {
      h.signal('SIGINT', 10);
      h.signal('SIGINT', 11);
      h.killed('worker.1', 'SIGKILL', 12);
    },
    1,
  ],
  [
    'every process ended on its own with 0',
    [[once('a'), once('b'), makeSpec({ name: 'c', restart: 'on-failure' })]],
    (h) => {
      h.exited('b.1', 0, 10);
      h.exited('a.1', 0, 20);
      h.exited('c.1', 0, 30);
    },
    0,
  ],
  [
    'every process ended on its own: the first non-zero code in time, not in Procfile order',
    [[once('a'), once('b'), once('c')]],
    (h) => {
      h.exited('a.1', 0, 5);
      h.exited('c.1', 4, 10);
      h.exited('b.1', 3, 20);
    },
    4,
  ],
  [
    'every process ended on its own, one killed by SIGSEGV',
    [[once('a'), once('b')]],
    (h) => {
      h.killed('b.1', 'SIGSEGV', 10);
      h.exited('a.1', 2, 20);
    },
    139,
  ],
  [
    'a critical process ended with 5: its code, although the others needed SIGKILL',
    [[api, worker, once('job')]],
    (h) => {
      h.exited('job.1', 3, 5);
      h.exited('api.1', 5, 10);
      h.fire('stop-timeout:worker.1');
      h.killed('worker.1', 'SIGKILL');
    },
    5,
  ],
  [
    'a critical process killed by SIGKILL',
    [[api, worker]],
    (h) => {
      h.killed('api.1', 'SIGKILL', 10);
      h.exited('worker.1', 0, 11);
    },
    137,
  ],
  [
    'a critical process ended with 0',
    [[api, worker, once('job')]],
    (h) => {
      h.exited('job.1', 3, 5);
      h.exited('api.1', 0, 10);
      h.exited('worker.1', 143, 11);
    },
    0,
  ],
  [
    'a critical process that failed (max_restarts): its last code',
    [
      [
        makeSpec({
          name: 'api',
          critical: true,
          maxRestarts: 1,
          backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 },
        }),
        worker,
      ],
    ],
    (h) => {
      h.exited('api.1', 1, 10);
      h.fire('restart:api.1');
      h.spawned('api.1');
      h.exited('api.1', 7, 20);
      expect(h.status('api.1').state).toBe('failed');
      h.exited('worker.1', 0, 21);
    },
    7,
  ],
  [
    'a signal shutdown during which the critical process ends non-zero: the signal decides',
    [[api, worker]],
    (h) => {
      h.signal('SIGTERM', 10);
      h.exited('api.1', 9, 11);
      h.exited('worker.1', 0, 12);
    },
    0,
  ],
];

describe('exit codes of SPEC §8', () => {
  it.each(SPEC_8)('%s', (_label, args, scenario, code) => {
    const h = started(...args);
    scenario(h);
    expect(h.exitCodes()).toEqual([code]);
    expect(h.state).toMatchObject({ phase: 'exited', exitCode: code });
    expect(shutdownExitCode(h.state)).toBe(code);
  });
});

describe('single-command mode: always the command’s code', () => {
  const command = makeSpec({ name: 'cmd', critical: true, restart: 'never' });
  /** procinit gets `signal`; then the command ends as `end` says. */
  const afterSignal =
    (signal: SignalName, end: (h: Harness) => void) =>
    (h: Harness): void => {
      h.signal(signal, 5);
      end(h);
    };
  it.each<[string, (h: Harness) => void, number]>([
    ['it exits 0', (h) => h.exited('cmd.1', 0, 10), 0],
    ['it exits 3', (h) => h.exited('cmd.1', 3, 10), 3],
    ['SIGKILL kills it', (h) => h.killed('cmd.1', 'SIGKILL', 10), 137],
    ['SIGTERM to procinit, it exits 143', afterSignal('SIGTERM', (h) => h.exited('cmd.1', 143, 10)), 143],
    [
      'SIGTERM to procinit, it dies of SIGTERM',
      afterSignal('SIGTERM', (h) => h.killed('cmd.1', 'SIGTERM', 10)),
      143,
    ],
    ['SIGTERM to procinit, it exits 0', afterSignal('SIGTERM', (h) => h.exited('cmd.1', 0, 10)), 0],
    [
      'SIGINT to procinit, it dies of SIGINT',
      afterSignal('SIGINT', (h) => h.killed('cmd.1', 'SIGINT', 10)),
      130,
    ],
    [
      'SIGTERM to procinit, it needed SIGKILL',
      afterSignal('SIGTERM', (h) => {
        h.fire('stop-timeout:cmd.1');
        h.killed('cmd.1', 'SIGKILL');
      }),
      137,
    ],
    [
      'SIGTERM twice to procinit, it died of the SIGKILL',
      afterSignal('SIGTERM', (h) => {
        h.signal('SIGTERM', 6);
        h.killed('cmd.1', 'SIGKILL', 7);
      }),
      137,
    ],
  ])('%s', (_label, scenario, code) => {
    const h = started([command], { singleCommand: true });
    scenario(h);
    expect(h.exitCodes()).toEqual([code]);
  });

  it('is 127 when the command cannot be spawned', () => {
    const h = new Harness([command], { singleCommand: true });
    h.boot(0);
    h.spawnFailed('cmd.1', 1);
    expect(h.exitCodes()).toEqual([127]);
  });
});

describe('the first non-zero code counts only runs that ended for good', () => {
  it('a one-shot that failed, was restarted and then succeeded leaves 0', () => {
    const h = started([makeSpec({ name: 'migrate', restart: 'on-failure' }), once('job')]);
    h.exited('migrate.1', 1, 10);
    h.fire('restart:migrate.1');
    h.spawned('migrate.1');
    h.exited('migrate.1', 0, 2000);
    h.exited('job.1', 0, 2001);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('a run that the liveness probe ended is not an ending of its own', () => {
    const h = started([makeSpec({ name: 'web', restart: 'never' })]);
    h.livenessFailed('web.1', 10);
    h.killed('web.1', 'SIGTERM', 20);
    h.fire('restart:web.1');
    h.spawned('web.1');
    h.exited('web.1', 0, 5000);
    expect(h.exitCodes()).toEqual([0]);
  });

  it('a process that failed counts with its last code', () => {
    const h = started([
      makeSpec({ name: 'worker', maxRestarts: 1, backoff: { initialMs: 0, maxMs: 0, resetAfterMs: 1000 } }),
      once('job'),
    ]);
    h.exited('worker.1', 2, 10);
    h.fire('restart:worker.1');
    h.spawned('worker.1');
    h.exited('job.1', 6, 15);
    h.exited('worker.1', 3, 20);
    expect(h.exitCodes()).toEqual([6]);
  });
});
