import { describe, expect, it } from 'vitest';
import { BUILTIN_SECRET_PATTERNS } from '../../../src/core/secrets.js';
import { type Case, problems, resolved } from './resolve-helpers.js';

const PROCFILE = 'web: gunicorn app\nworker: celery worker\n';

describe('resolveConfig: defaults', () => {
  it('fills in every default of SPEC §2.2', () => {
    const config = resolved({ procfile: PROCFILE });
    expect(config.health).toEqual({ port: 8099, host: '0.0.0.0' });
    expect(config.shutdown).toEqual({ timeoutMs: 8_000, drainMs: 0 });
    expect(config.log).toEqual({ level: 'info', format: 'pretty', timestamps: false, color: false });
    expect(config.singleCommand).toBe(false);
    expect(config.secretPatterns).toEqual(BUILTIN_SECRET_PATTERNS);
    expect(config.sources).toEqual({ procfile: '/app/Procfile', envFiles: [] });
    expect(config.processes[0]).toEqual({
      id: 'web.1',
      name: 'web',
      instance: 1,
      command: 'gunicorn app',
      argv: ['/bin/sh', '-c', 'exec gunicorn app'],
      simple: true,
      env: { PROCINIT_PROCESS: 'web.1', PROCINIT_INSTANCE: '1' },
      cwd: '/app',
      restart: 'always',
      backoff: { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 10_000 },
      maxRestarts: 0,
      restartWindowMs: 60_000,
      critical: false,
      stopTimeoutMs: 8_000,
      signalTarget: 'process',
      dependsOn: {},
    });
    expect(config.processes.map((spec) => spec.id)).toEqual(['web.1', 'worker.1']);
  });

  it('signals a compound command as a group, unless told otherwise', () => {
    const config = resolved({
      procfile: 'a: cd /x && run\nb: cd /x && run\nc: run\n',
      yaml: 'processes:\n  b: { signal_target: process }\n  c: { signal_target: group }\n',
    });
    expect(config.processes.map((spec) => [spec.id, spec.simple, spec.signalTarget])).toEqual([
      ['a.1', false, 'group'],
      ['b.1', false, 'process'],
      ['c.1', true, 'group'],
    ]);
    expect(config.processes[0]?.argv).toEqual(['/bin/sh', '-c', 'cd /x && run']);
  });

  it('resolves process options, probes with Kubernetes defaults, and paths from the yaml directory', () => {
    const yaml = `user: app
processes:
  worker:
    readiness: { tcp: "127.0.0.1:8000" }
    liveness: { exec: "ping", interval: 30s, failure_threshold: 5 }
    stop_timeout: 30s
    stop_signal: INT
    cwd: sub
    user: other
`;
    const [web, worker] = resolved({ procfile: PROCFILE, yaml }).processes;
    expect(web?.user).toBe('app');
    expect(web?.cwd).toBe('/app');
    expect(worker).toMatchObject({
      user: 'other',
      cwd: '/app/config/sub',
      stopTimeoutMs: 30_000,
      stopSignal: 'SIGINT',
    });
    expect(worker?.readiness).toEqual({
      check: { kind: 'tcp', host: '127.0.0.1', port: 8000 },
      intervalMs: 10_000,
      timeoutMs: 1_000,
      initialDelayMs: 0,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(worker?.liveness).toMatchObject({ check: { kind: 'exec', command: 'ping' }, intervalMs: 30_000 });
  });
});

describe('resolveConfig: precedence (flag, PROCINIT_* variable, procinit.yaml, default)', () => {
  const yaml =
    'health: { port: 3, host: yaml-host }\nshutdown: { timeout: 3s }\nlog: { level: error, format: raw }\n';
  const all: Case = {
    procfile: PROCFILE,
    yaml,
    cli: { healthPort: 1, healthHost: 'flag-host', shutdownTimeout: '1s', logFormat: 'json', verbose: 1 },
    environ: {
      PROCINIT_HEALTH_PORT: '2',
      PROCINIT_HEALTH_HOST: 'env-host',
      PROCINIT_SHUTDOWN_TIMEOUT: '2s',
      PROCINIT_LOG_FORMAT: 'pretty',
      PROCINIT_LOG_LEVEL: 'warn',
    },
  };
  const pick = (c: Case) => {
    const config = resolved(c);
    return [
      config.health.port,
      config.health.host,
      config.shutdown.timeoutMs,
      config.log.format,
      config.log.level,
    ];
  };

  it.each([
    ['the flag wins over all', all, [1, 'flag-host', 1_000, 'json', 'debug']],
    ['then the variable', { ...all, cli: {} }, [2, 'env-host', 2_000, 'pretty', 'warn']],
    ['then procinit.yaml', { ...all, cli: {}, environ: {} }, [3, 'yaml-host', 3_000, 'raw', 'error']],
    ['then the default', { procfile: PROCFILE }, [8099, '0.0.0.0', 8_000, 'pretty', 'info']],
    [
      'an empty variable counts as unset',
      { ...all, cli: {}, environ: { PROCINIT_HEALTH_PORT: '' } },
      [3, 'yaml-host', 3_000, 'raw', 'error'],
    ],
  ])('%s', (_, c, expected) => {
    expect(pick(c as Case)).toEqual(expected);
  });

  it.each([
    [{ verbose: 2 }, 'trace'],
    [{ verbose: 1 }, 'debug'],
    [{ verbose: 0 }, 'info'],
    [{ quiet: true }, 'warn'],
  ])('log level from %j', (cli, level) => {
    expect(resolved({ procfile: PROCFILE, cli }).log.level).toBe(level);
  });

  it('gives every process the resolved shutdown timeout as its default stop_timeout', () => {
    const config = resolved({ procfile: PROCFILE, environ: { PROCINIT_SHUTDOWN_TIMEOUT: '20' } });
    expect(config.processes.map((spec) => spec.stopTimeoutMs)).toEqual([20_000, 20_000]);
  });

  it('reports bad flag and variable values by name, never falling back silently', () => {
    expect(
      problems({
        procfile: PROCFILE,
        cli: { healthPort: 70_000, shutdownTimeout: 'soon', verbose: 1, quiet: true },
        environ: { PROCINIT_LOG_FORMAT: 'text', PROCINIT_LOG_LEVEL: 'loud', PROCINIT_HEALTH_HOST: ' ' },
      }),
    ).toEqual([
      '--health-port: expected a port number (0-65535), found 70000',
      'PROCINIT_HEALTH_HOST: expected a non-empty value, found " "',
      '--shutdown-timeout: expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds, found "soon"',
      '-v/--verbose and -q/--quiet cannot be used together',
      'PROCINIT_LOG_FORMAT: expected pretty, json or raw, found "text"',
    ]);
  });

  it('reports a bad PROCINIT_ variable that a flag does not hide', () => {
    expect(problems({ procfile: PROCFILE, environ: { PROCINIT_HEALTH_PORT: '80a' } })).toEqual([
      'PROCINIT_HEALTH_PORT: expected a port number (0-65535), found "80a"',
    ]);
  });

  it.each([
    ['a terminal', {}, true, true],
    ['a pipe', {}, false, false],
    ['--no-color on a terminal', { cli: { color: false } }, true, false],
    ['NO_COLOR on a terminal', { environ: { NO_COLOR: '1' } }, true, false],
    ['an empty NO_COLOR', { environ: { NO_COLOR: '' } }, true, true],
    ['FORCE_COLOR on a pipe', { environ: { FORCE_COLOR: '1' } }, false, true],
    ['an empty FORCE_COLOR on a pipe', { environ: { FORCE_COLOR: '' } }, false, true],
    ['FORCE_COLOR=0 on a terminal', { environ: { FORCE_COLOR: '0' } }, true, false],
    ['NO_COLOR beats FORCE_COLOR', { environ: { NO_COLOR: '1', FORCE_COLOR: '1' } }, false, false],
    ['--color (the default of --no-color) on a pipe', { cli: { color: true } }, false, false],
  ])('colour on %s', (_, c, stdoutIsTTY, color) => {
    expect(resolved({ procfile: PROCFILE, stdoutIsTTY, ...(c as Case) }).log.color).toBe(color);
  });

  it('adds configured secret patterns to the built-in ones', () => {
    const config = resolved({ procfile: PROCFILE, yaml: 'preflight:\n  env:\n    secret: ["*_PK"]\n' });
    expect(config.secretPatterns).toEqual([...BUILTIN_SECRET_PATTERNS, '*_PK']);
  });
});

describe('resolveConfig: preflight', () => {
  it('resolves every preflight section, with defaults and paths from the yaml directory', () => {
    const yaml = `user: app
preflight:
  env: { required: [DATABASE_URL], optional: [SENTRY_DSN] }
  dirs:
    - { path: /data, mode: "0750", owner: "app:app", recursive: true }
    - { path: logs }
  commands: [gunicorn]
  ports_free: [8000]
  wait_for:
    - { tcp: "db:5432" }
    - { tcp: "[::1]:6379", timeout: 5s }
    - { http: "http://search:9200/", timeout: 1m }
  tasks:
    - { name: migrate, run: "alembic upgrade head" }
    - { name: seed, run: "./seed", timeout: 30s, user: root }
`;
    expect(resolved({ procfile: PROCFILE, yaml }).preflight).toEqual({
      env: { required: ['DATABASE_URL'], optional: ['SENTRY_DSN'] },
      dirs: [
        { path: '/data', mode: 0o750, owner: 'app:app', recursive: true },
        { path: '/app/config/logs', recursive: false },
      ],
      commands: ['gunicorn'],
      portsFree: [8000],
      waitFor: [
        { target: { kind: 'tcp', host: 'db', port: 5432 }, timeoutMs: 30_000 },
        { target: { kind: 'tcp', host: '::1', port: 6379 }, timeoutMs: 5_000 },
        { target: { kind: 'http', url: 'http://search:9200/' }, timeoutMs: 60_000 },
      ],
      tasks: [
        { name: 'migrate', run: 'alembic upgrade head', timeoutMs: 3_600_000, user: 'app' },
        { name: 'seed', run: './seed', timeoutMs: 30_000, user: 'root' },
      ],
    });
  });

  it('is empty without procinit.yaml', () => {
    expect(resolved({ procfile: PROCFILE }).preflight).toEqual({
      env: { required: [], optional: [] },
      dirs: [],
      commands: [],
      portsFree: [],
      waitFor: [],
      tasks: [],
    });
  });

  it('reports two tasks with one name', () => {
    const yaml = 'preflight:\n  tasks:\n    - { name: m, run: a }\n    - { name: m, run: b }\n';
    expect(problems({ procfile: PROCFILE, yaml })).toEqual([
      'procinit.yaml:4:15: preflight.tasks[1].name: duplicate task name "m"\n  fix: give each task its own name',
    ]);
  });
});
