import { afterEach, describe, expect, it } from 'vitest';
import { killAll, projectDir, type RunningProcess, startProcinit } from '../helpers/procinit.js';

// SPEC §2.1, §2.2, §2.3, §3 and §8: every bad input is a usage error, exit 2, with a message
// that names the file, line (and column, for procinit.yaml), the key path, what was expected and
// what was found; never a stack trace. Then `procinit config` and `procinit schema`.

/** Resolves with the exit code, or fails with the output so far if procinit has not exited in time. */
async function exitCodeWithin(run: RunningProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`procinit did not exit within ${timeoutMs} ms\n${run.stdout()}${run.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs procinit to its end in a fresh project directory. */
async function runIn(files: Record<string, string>, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const run = startProcinit(args, { cwd: projectDir(files), env });
  const exitCode = await exitCodeWithin(run, 10_000);
  return { exitCode, stdout: run.stdout(), stderr: run.stderr() };
}

const PROCFILE = { Procfile: 'web: echo hi\n' };
const withConfig = (yaml: string) => ({ ...PROCFILE, 'procinit.yaml': yaml });
/** A project that ends at once if it runs at all, so a missed error fails fast instead of hanging. */
const RUNS_ONCE = { Procfile: 'web: true\n', 'procinit.yaml': 'processes:\n  web: { restart: never }\n' };

interface BadInput {
  name: string;
  files: Record<string, string>;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Each must appear in stderr, as written (a whole line of the report where it can). */
  messages: readonly string[];
}

const PROCFILE_CASES: BadInput[] = [
  {
    name: 'malformed Procfile line',
    files: { Procfile: 'web: echo hi\nthis is not a line\n' },
    messages: ['  Procfile:2: malformed line "this is not a line"\n'],
  },
  {
    name: 'empty command',
    files: { Procfile: 'web: echo hi\nworker:   \n' },
    messages: ['  Procfile:2: empty command for process "worker"'],
  },
  {
    name: 'duplicate name',
    files: { Procfile: 'web: echo hi\n# the worker\nweb: echo again\n' },
    messages: ['  Procfile:3: duplicate process name "web" (first on line 1)\n'],
  },
  {
    name: 'invalid name',
    files: { Procfile: 'web: echo hi\nmy.web: echo x\n' },
    messages: ['  Procfile:2: malformed line "my.web: echo x"\n', 'NAME made of letters, digits, _ or -'],
  },
  {
    name: 'several problems, all reported in one run',
    files: { Procfile: 'web: echo hi\nbad line\nweb: again\nx:\n' },
    messages: [
      'procinit: errors:\n',
      '  Procfile:2: malformed line "bad line"\n',
      '  Procfile:3: duplicate process name "web" (first on line 1)\n',
      '  Procfile:4: empty command for process "x"',
    ],
  },
];

const CONFIG_CASES: BadInput[] = [
  {
    name: 'unknown key, with "did you mean"',
    files: withConfig('processes:\n  web:\n    stop_timout: 5s\n'),
    messages: [
      '  procinit.yaml:3:5: processes.web.stop_timout: unknown key "stop_timout"; did you mean "stop_timeout"?\n',
    ],
  },
  {
    name: 'wrong type',
    files: withConfig('processes:\n  web:\n    critical: "yes"\n'),
    messages: ['  procinit.yaml:3:15: processes.web.critical: expected true or false, found "yes"\n'],
  },
  {
    name: 'bad duration',
    files: withConfig('shutdown:\n  timeout: 5 minutes\n'),
    messages: [
      '  procinit.yaml:2:12: shutdown.timeout: expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds, found "5 minutes"\n',
    ],
  },
  {
    name: 'bad enum value',
    files: withConfig('processes:\n  web:\n    restart: sometimes\n'),
    messages: [
      '  procinit.yaml:3:14: processes.web.restart: expected always, on-failure or never, found "sometimes"\n',
    ],
  },
  {
    name: 'YAML syntax error (nested mapping)',
    files: withConfig('processes:\n  web:\n    restart: never: now\n'),
    messages: ['  procinit.yaml:3:14: invalid YAML: Nested mappings are not allowed in compact mappings'],
  },
  {
    name: 'YAML syntax error (tab indentation)',
    files: withConfig('log:\n  level: info\n\tformat: json\n'),
    messages: ['  procinit.yaml:3:1: invalid YAML: Tabs are not allowed as indentation'],
  },
  {
    name: 'several problems in procinit.yaml, all reported in one run',
    files: withConfig(
      'shutdown:\n  timeout: soon\nprocesses:\n  web:\n    stop_timout: 1s\n    restart: maybe\n',
    ),
    messages: [
      'procinit: errors:\n',
      '  procinit.yaml:2:12: shutdown.timeout: expected a duration',
      '  procinit.yaml:5:5: processes.web.stop_timout: unknown key "stop_timout"; did you mean "stop_timeout"?\n',
      '  procinit.yaml:6:14: processes.web.restart: expected always, on-failure or never, found "maybe"\n',
    ],
  },
  {
    name: 'depends_on cycle',
    files: {
      Procfile: 'a: echo a\nb: echo b\n',
      'procinit.yaml':
        'processes:\n  a: { depends_on: { b: started } }\n  b: { depends_on: { a: started } }\n',
    },
    messages: ['depends_on cycle: a → b → a\n'],
  },
  {
    name: 'depends_on an unknown name',
    files: {
      Procfile: 'a: echo a\n',
      'procinit.yaml': 'processes:\n  a: { depends_on: { ghost: started } }\n',
    },
    messages: ['  procinit.yaml:2:22: processes.a.depends_on: unknown process type "ghost"\n'],
  },
];

const MISSING_CASES: BadInput[] = [
  {
    name: 'Procfile named by -f, missing',
    files: PROCFILE,
    args: ['-f', 'nope'],
    messages: ['  Procfile "nope" (from -f/--procfile): not found\n'],
  },
  {
    name: 'Procfile named by PROCINIT_PROCFILE, missing',
    files: PROCFILE,
    env: { PROCINIT_PROCFILE: 'nope' },
    messages: ['  Procfile "nope" (from PROCINIT_PROCFILE): not found\n'],
  },
  {
    name: 'Procfile named by procfile: in procinit.yaml, missing',
    files: withConfig('procfile: Procfile.nope\n'),
    messages: [
      '  procinit.yaml:1:11: Procfile "Procfile.nope" (from procfile in procinit.yaml): not found\n',
    ],
  },
  {
    name: 'config named by -c, missing',
    files: PROCFILE,
    args: ['-c', 'nope.yaml'],
    messages: ['  config file "nope.yaml" (from -c/--config): not found\n'],
  },
  {
    name: 'config named by PROCINIT_CONFIG, missing',
    files: PROCFILE,
    env: { PROCINIT_CONFIG: 'nope.yaml' },
    messages: ['  config file "nope.yaml" (from PROCINIT_CONFIG): not found\n'],
  },
  {
    name: 'env file named by -e, missing',
    files: RUNS_ONCE,
    args: ['-e', 'missing.env'],
    messages: ['  env file "missing.env" (from -e/--env-file): not found\n'],
  },
  {
    name: 'env file named by PROCINIT_ENV_FILE, missing',
    files: RUNS_ONCE,
    env: { PROCINIT_ENV_FILE: 'missing.env' },
    messages: ['  env file "missing.env" (from PROCINIT_ENV_FILE): not found\n'],
  },
  {
    name: 'no Procfile and no processes',
    files: {},
    messages: ['  nothing to run: no Procfile, and no processes with a command in procinit.yaml\n'],
  },
];

const FLAG_CASES: BadInput[] = [
  {
    name: 'unknown flag',
    files: PROCFILE,
    args: ['--frobnicate'],
    messages: ["unknown option '--frobnicate'"],
  },
  {
    name: 'misspelt flag, with a suggestion',
    files: PROCFILE,
    args: ['--verbos'],
    messages: ["unknown option '--verbos'", 'Did you mean --verbose?'],
  },
  {
    name: 'bad --log-format',
    files: PROCFILE,
    args: ['--log-format', 'fancy'],
    messages: ["argument 'fancy' is invalid", 'pretty, json, raw'],
  },
  {
    name: 'bad --health-port',
    files: PROCFILE,
    args: ['--health-port', '99999'],
    messages: ['expected a port from 0 to 65535, got "99999"'],
  },
  {
    name: 'bad --shutdown-timeout',
    files: PROCFILE,
    args: ['--shutdown-timeout', 'soon'],
    messages: [
      '  --shutdown-timeout: expected a duration such as 500ms, 10s, 5m, 1h or a number of seconds, found "soon"\n',
    ],
  },
  {
    name: 'bad PROCINIT_LOG_FORMAT',
    files: PROCFILE,
    env: { PROCINIT_LOG_FORMAT: 'fancy' },
    messages: ['  PROCINIT_LOG_FORMAT: expected pretty, json or raw, found "fancy"\n'],
  },
  {
    name: 'bad -m/--formation',
    files: PROCFILE,
    args: ['-m', 'web=x'],
    messages: ['  -m/--formation: expected NAME=COUNT, found "web=x"\n'],
  },
  {
    name: '--only an unknown type',
    files: PROCFILE,
    args: ['--only', 'ghost'],
    messages: ['  --only: unknown process type "ghost"\n'],
  },
  { name: 'nothing after --', files: PROCFILE, args: ['--'], messages: ['  nothing follows "--"\n'] },
];

afterEach(killAll);

describe('bad input: exit 2 with a message that says where and what, never a stack trace', () => {
  it.each([...PROCFILE_CASES, ...CONFIG_CASES, ...MISSING_CASES, ...FLAG_CASES])(
    '$name',
    async ({ files, args = [], env = {}, messages }) => {
      const result = await runIn(files, ['--health-port', '0', ...args], env);
      expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({ exitCode: 2, stdout: '' });
      for (const message of messages) expect(result.stderr).toContain(message);
      // No stack frame, no error class name, no "internal error": a user error, told as one.
      expect(result.stderr).not.toMatch(/^\s+at .+[(:]\d+/m);
      expect(result.stderr).not.toMatch(/\b[A-Z]\w*Error\b|internal error/);
    },
  );

  it('control: with -v the same error also shows the stack trace (so the check above can see one)', async () => {
    const result = await runIn(withConfig('shutdown:\n  timeout: 5 minutes\n'), ['--health-port', '0', '-v']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^\s+at .+[(:]\d+/m);
  });
});

describe('procinit config', () => {
  const SECRETS = ['hunter2', 'abc123', 'tok-999', 'pw777', 's3cr3t-env'];
  const files = {
    Procfile: 'web: psql postgres://admin:pw777@db/app\n',
    '.env': 'DATABASE_URL=postgres://u:hunter2@db/x\nAPI_KEY=abc123\n',
    'procinit.yaml': 'env_file: .env\nprocesses:\n  web:\n    env: { EXTRA_TOKEN: tok-999 }\n',
  };
  const env = { SERVICE_SECRET: 's3cr3t-env' };

  it('prints the resolved configuration with every secret masked', async () => {
    const result = await runIn(files, ['config'], env);
    expect(result.exitCode).toBe(0);
    // The variables are there, so the masking is what hides their values.
    expect(result.stdout).toMatch(/^ +DATABASE_URL: postgres:\/\/u:\*+@db\/x$/m);
    expect(result.stdout).toMatch(/^ +API_KEY: "?\*+"?$/m);
    expect(result.stdout).toMatch(/^ +EXTRA_TOKEN: "?\*+"?$/m);
    expect(result.stdout).toMatch(/^ +command: psql postgres:\/\/admin:\*+@db\/app$/m);
    for (const secret of SECRETS) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('loads and masks an env file given with -e, as it does one from PROCINIT_ENV_FILE', async () => {
    const project = { Procfile: 'web: true\n', 'secrets.env': 'DATABASE_URL=postgres://u:hunter2@db/x\n' };
    const viaVariable = await runIn(project, ['config'], { PROCINIT_ENV_FILE: 'secrets.env' });
    const viaFlag = await runIn(project, ['config', '-e', 'secrets.env']);
    for (const result of [viaVariable, viaFlag]) {
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^ +DATABASE_URL: postgres:\/\/u:\*+@db\/x$/m);
      expect(result.stdout).not.toContain('hunter2');
    }
    expect(viaFlag.stdout).toMatch(/^ {2}env_files:\n {4}- \/.*\/secrets\.env$/m);
  });

  it('-v of a run shows the resolved configuration and each spawn masked too', async () => {
    const result = await runIn(
      { ...files, 'procinit.yaml': `${files['procinit.yaml']}    restart: never\n`, Procfile: 'web: true\n' },
      ['--health-port', '0', '-v'],
      env,
    );
    expect(result.exitCode).toBe(0);
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/event=config\.resolved/);
    expect(out).toMatch(/event=process\.spawned .*"DATABASE_URL":"postgres:\/\/u:\*+@db\/x"/);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
  });
});

describe('procinit schema', () => {
  it('prints a JSON Schema of procinit.yaml', async () => {
    const result = await runIn({}, ['schema']);
    expect(result.exitCode).toBe(0);
    const schema = JSON.parse(result.stdout) as {
      $schema?: string;
      type?: string;
      properties?: Record<string, { additionalProperties?: { properties?: Record<string, unknown> } }>;
    };
    expect(schema.$schema).toMatch(/^https:\/\/json-schema\.org\//);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['procfile', 'env_file', 'preflight', 'processes', 'health', 'shutdown', 'log']),
    );
    // processes: NAME → options, and the options are the ones SPEC §2.2 lists.
    const processOptions = schema.properties?.processes?.additionalProperties?.properties ?? {};
    expect(Object.keys(processOptions)).toEqual(
      expect.arrayContaining(['command', 'critical', 'restart', 'backoff', 'stop_timeout', 'depends_on']),
    );
  });
});
