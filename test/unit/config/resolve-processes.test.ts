import { describe, expect, it } from 'vitest';
import { type Case, envOf, problems, resolved } from './resolve-helpers.js';

const PROCFILE = 'web: gunicorn app\nworker: celery worker\nclock: python clock.py\n';
const ids = (c: Case) => resolved(c).processes.map((spec) => spec.id);

describe('resolveConfig: instances, formation and --only', () => {
  it.each([
    ['one of each by default', {}, ['web.1', 'worker.1', 'clock.1']],
    [
      'instances: from procinit.yaml',
      { yaml: 'processes:\n  worker: { instances: 2 }\n' },
      ['web.1', 'worker.1', 'worker.2', 'clock.1'],
    ],
    [
      '-m overrides instances:',
      { yaml: 'processes:\n  worker: { instances: 2 }\n', cli: { formation: 'worker=3' } },
      ['web.1', 'worker.1', 'worker.2', 'worker.3', 'clock.1'],
    ],
    [
      '-m leaves unnamed types at their count',
      { cli: { formation: 'web=2' } },
      ['web.1', 'web.2', 'worker.1', 'clock.1'],
    ],
    ['-m NAME=0 leaves a type out', { cli: { formation: 'clock=0' } }, ['web.1', 'worker.1']],
    [
      'all=N sets every type not named',
      { cli: { formation: 'all=2, web=1' } },
      ['web.1', 'worker.1', 'worker.2', 'clock.1', 'clock.2'],
    ],
    ['PROCINIT_FORMATION when no -m', { environ: { PROCINIT_FORMATION: 'all=0,clock=1' } }, ['clock.1']],
    [
      '-m beats PROCINIT_FORMATION',
      { cli: { formation: 'web=1' }, environ: { PROCINIT_FORMATION: 'web=5' } },
      ['web.1', 'worker.1', 'clock.1'],
    ],
    ['--only selects types', { cli: { only: 'clock, web' } }, ['web.1', 'clock.1']],
    ['--only and -m together', { cli: { only: 'worker', formation: 'worker=2' } }, ['worker.1', 'worker.2']],
  ])('%s', (_, c, expected) => {
    expect(ids({ procfile: PROCFILE, ...(c as Case) })).toEqual(expected);
  });

  it('reports unknown names in -m and --only, with did-you-mean, and a malformed -m item', () => {
    expect(problems({ procfile: PROCFILE, cli: { formation: 'wrker=2,web', only: 'web,clok,api' } })).toEqual(
      [
        '--only: unknown process type "clok"; did you mean "clock"?\n  fix: known types: web, worker, clock',
        '--only: unknown process type "api"\n  fix: known types: web, worker, clock',
        '-m/--formation: unknown process type "wrker"; did you mean "worker"?\n  fix: known types: web, worker, clock',
        '-m/--formation: expected NAME=COUNT, found "web"\n  fix: write it as web=1,worker=2 (all=N sets every type)',
      ],
    );
  });

  it('reports nothing to run when every type is left out', () => {
    expect(problems({ procfile: PROCFILE, cli: { formation: 'all=0' } })[0]).toMatch(/^nothing to run/);
  });
});

describe('resolveConfig: --port', () => {
  it('gives PORT = BASE + 100 × type index + instance − 1, whatever --only and -m select', () => {
    const config = resolved({
      procfile: PROCFILE,
      cli: { port: 5000, only: 'worker,clock', formation: 'worker=2' },
    });
    expect(envOf(config, 'PORT')).toEqual({ 'worker.1': '5100', 'worker.2': '5101', 'clock.1': '5200' });
  });

  it('sets no PORT without --port', () => {
    expect(envOf(resolved({ procfile: PROCFILE }), 'PORT')).toEqual({
      'web.1': undefined,
      'worker.1': undefined,
      'clock.1': undefined,
    });
  });

  it('numbers types defined only in procinit.yaml after the Procfile', () => {
    const config = resolved({
      procfile: PROCFILE,
      yaml: 'processes:\n  api:\n    command: node api.js\n',
      cli: { port: 5000 },
    });
    expect(envOf(config, 'PORT')).toEqual({
      'web.1': '5000',
      'worker.1': '5100',
      'clock.1': '5200',
      'api.1': '5300',
    });
  });

  it.each([
    [{ port: 0 }, '--port: expected a port number (1-65535), found 0'],
    [
      { port: 65_500 },
      '--port: base 65500 gives ports up to 65700, above 65535\n  fix: choose a lower base port',
    ],
  ])('rejects %j', (cli, message) => {
    expect(problems({ procfile: PROCFILE, cli })).toEqual([message]);
  });
});

describe('resolveConfig: environment', () => {
  it('adds env-file variables that are not already set, never overriding; later files win', () => {
    const config = resolved({
      procfile: 'web: run\n',
      yaml: 'processes:\n  web:\n    env: { FROM_YAML: "1", SHARED: yaml }\n',
      environ: { ALREADY: 'from-environ', PATH: '/bin' },
      envFiles: [
        { ALREADY: 'from-file', ONLY_FILE: 'a', SHARED: 'file', LATER: 'first' },
        { LATER: 'second', PATH: '/evil' },
      ],
    });
    expect(config.processes[0]?.env).toEqual({
      ONLY_FILE: 'a',
      SHARED: 'yaml',
      LATER: 'second',
      FROM_YAML: '1',
      PROCINIT_PROCESS: 'web.1',
      PROCINIT_INSTANCE: '1',
    });
    expect(config.sources.envFiles).toEqual(['/app/0.env', '/app/1.env']);
  });

  it('gives each instance its own PROCINIT_PROCESS and PROCINIT_INSTANCE', () => {
    const config = resolved({ procfile: 'worker: run\n', cli: { formation: 'worker=2' } });
    expect(config.processes.map((spec) => [spec.env.PROCINIT_PROCESS, spec.env.PROCINIT_INSTANCE])).toEqual([
      ['worker.1', '1'],
      ['worker.2', '2'],
    ]);
    // Instances share nothing mutable.
    expect(config.processes[0]?.backoff).not.toBe(config.processes[1]?.backoff);
  });
});

describe('resolveConfig: process types and depends_on', () => {
  it('adds types that procinit.yaml defines with command:, after the Procfile', () => {
    const config = resolved({
      procfile: 'web: run\n',
      yaml: 'processes:\n  api:\n    command: node api.js\n',
    });
    expect(config.processes.map((spec) => [spec.id, spec.argv[2]])).toEqual([
      ['web.1', 'exec run'],
      ['api.1', 'exec node api.js'],
    ]);
  });

  it('needs no Procfile when procinit.yaml defines the processes', () => {
    expect(ids({ yaml: 'processes:\n  api: { command: node api.js }\n' })).toEqual(['api.1']);
  });

  it('reports options for a type defined nowhere, with did-you-mean', () => {
    expect(
      problems({ procfile: 'web: run\nworker: run\n', yaml: 'processes:\n  wroker:\n    instances: 2\n' }),
    ).toEqual([
      'procinit.yaml:2:3: processes.wroker: no process type "wroker" in Procfile; did you mean "worker"?\n' +
        '  why: options under processes: apply to a Procfile type, unless the entry defines command: itself\n' +
        '  fix: add "wroker: COMMAND" to the Procfile, or give processes.wroker a command:',
    ]);
  });

  it('reports a command: for a type the Procfile defines too', () => {
    expect(problems({ procfile: 'web: run\n', yaml: 'processes:\n  web:\n    command: other\n' })).toEqual([
      'procinit.yaml:3:5: processes.web.command: "web" is already defined in Procfile:1\n' +
        '  fix: remove the command from one of them',
    ]);
  });

  it('keeps depends_on, and drops dependencies on types that do not run', () => {
    const yaml = 'processes:\n  worker:\n    depends_on: { web: ready, clock: started }\n';
    expect(resolved({ procfile: PROCFILE, yaml }).processes[1]?.dependsOn).toEqual({
      web: 'ready',
      clock: 'started',
    });
    const only = resolved({ procfile: PROCFILE, yaml, cli: { only: 'worker,clock' } });
    expect(only.processes[0]?.dependsOn).toEqual({ clock: 'started' });
  });

  it('reports unknown depends_on names and cycles, naming the cycle', () => {
    const yaml = `processes:
  web:
    depends_on: { worker: started }
  worker:
    depends_on: { clock: ready, wbe: ready }
  clock:
    depends_on: { web: started, clock: started }
`;
    expect(problems({ procfile: PROCFILE, yaml }).map((p) => p.split('\n')[0])).toEqual([
      'procinit.yaml:5:33: processes.worker.depends_on: unknown process type "wbe"; did you mean "web"?',
      'procinit.yaml:3:19: depends_on cycle: web → worker → clock → web',
      'procinit.yaml:7:33: depends_on cycle: clock → clock',
    ]);
  });

  it('reports depending on the completion of a process that always restarts', () => {
    const yaml = `processes:
  web:
    depends_on: { migrate: completed, setup: completed }
  migrate: { command: alembic upgrade head }
  setup: { command: ./setup.sh, restart: on-failure }
`;
    expect(problems({ procfile: 'web: run\n', yaml })).toEqual([
      'procinit.yaml:3:19: processes.web.depends_on.migrate: "migrate" never completes, since its restart is always\n' +
        '  why: completed means it exited 0 and will not be restarted\n' +
        '  fix: give migrate restart: on-failure (or never), or depend on it being ready or started',
    ]);
  });

  it('reports a backoff whose initial delay is above its maximum', () => {
    expect(
      problems({ procfile: 'web: run\n', yaml: 'processes:\n  web:\n    backoff: { initial: 1m }\n' }),
    ).toEqual([
      'procinit.yaml:3:14: processes.web.backoff: expected initial ≤ max, found initial 1m and max 30s\n' +
        '  fix: lower initial or raise max (default max: 30s)',
    ]);
  });

  it('says what to do when there is nothing to run', () => {
    expect(problems({})).toEqual([
      'nothing to run: no Procfile, and no processes with a command in procinit.yaml\n' +
        '  fix: create a Procfile with one line per process (web: gunicorn app:app), ' +
        'or define processes: NAME: command: in procinit.yaml, or run one command: procinit -- COMMAND ARGS',
    ]);
    expect(problems({ procfile: '# empty\n' })[0]).toMatch(/^nothing to run: Procfile defines no process/);
  });
});

describe('resolveConfig: single-command mode', () => {
  it('supervises the argv as given: no shell, restart never, critical, signals to its pid', () => {
    const config = resolved({
      cli: { command: ['/usr/local/bin/gunicorn', 'app:app', '--bind', '0.0.0.0:8000 x'], port: 8000 },
      yaml: 'user: app\nprocesses:\n  ignored: { instances: 2 }\n',
      envFiles: [{ FROM_FILE: '1' }],
    });
    expect(config.singleCommand).toBe(true);
    expect(config.sources.procfile).toBeUndefined();
    expect(config.processes).toEqual([
      {
        id: 'gunicorn.1',
        name: 'gunicorn',
        instance: 1,
        command: "/usr/local/bin/gunicorn app:app --bind '0.0.0.0:8000 x'",
        argv: ['/usr/local/bin/gunicorn', 'app:app', '--bind', '0.0.0.0:8000 x'],
        simple: true,
        env: { FROM_FILE: '1', PORT: '8000', PROCINIT_PROCESS: 'gunicorn.1', PROCINIT_INSTANCE: '1' },
        cwd: '/app',
        user: 'app',
        restart: 'never',
        backoff: { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 10_000 },
        maxRestarts: 0,
        restartWindowMs: 60_000,
        critical: true,
        stopTimeoutMs: 8_000,
        signalTarget: 'process',
        dependsOn: {},
      },
    ]);
  });

  it.each([
    ['python3.12', 'python3-12'],
    ['./run.sh', 'run-sh'],
    ['...', 'main'],
  ])('names the process after the program: %s → %s', (program, name) => {
    expect(resolved({ cli: { command: [program] } }).processes[0]?.name).toBe(name);
  });

  it('rejects Procfile selection flags and an empty command', () => {
    expect(
      problems({ cli: { command: ['run'], procfile: 'P', only: 'web' } }).map((p) => p.split('\n')[0]),
    ).toEqual([
      '-f/--procfile cannot be combined with -- COMMAND',
      '--only cannot be combined with -- COMMAND',
    ]);
    expect(problems({ cli: { command: [] } })).toEqual([
      'no command after --\n  fix: procinit -- COMMAND ARGS',
    ]);
  });
});

describe('resolveConfig: problems of different kinds together', () => {
  it('reports a bad variable and the missing processes in one run', () => {
    expect(problems({ environ: { PROCINIT_HEALTH_PORT: 'x' } }).map((p) => p.split('\n')[0])).toEqual([
      'PROCINIT_HEALTH_PORT: expected a port number (0-65535), found "x"',
      'nothing to run: no Procfile, and no processes with a command in procinit.yaml',
    ]);
  });
});
