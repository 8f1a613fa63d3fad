import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/procinit.js';
import {
  closeListeners,
  type Finished,
  freePort,
  listenHttp,
  project,
  removeTempDirs,
  runProcinit,
} from './preflight-helpers.js';

// SPEC §7 and §2.3: nothing secret is ever printed. Distinctive secret values are put where
// procinit looks (its environment, procinit.yaml, the Procfile, wait_for URLs) and every byte
// procinit writes, on stdout and stderr, is scanned for them: `run`, `check`, `config` and the
// single-command mode, at each verbosity, in each log format, passing and failing. Each scan
// also requires the names and masked forms to be there (and a non-secret value printed in the
// same place), so it cannot pass by scanning output that never showed anything.

const hex = () => randomBytes(8).toString('hex');

/** Every secret value, by what it is. None may appear in any output. */
const S = {
  openaiKey: `sk-proj-${hex()}`, // OPENAI_API_KEY: a built-in pattern (*KEY*)
  dbPassword: `dbpassword${hex()}`, // DATABASE_PASSWORD: a built-in pattern (*PASSWORD*)
  // In DATABASE_URL's userinfo (not secret by name), with a `#` and a `?` left unencoded, as
  // generated passwords often have them and libpq takes them as written.
  dbUrlPassword: `dburl#password?${hex()}`,
  appCred: `appcred${hex()}`, // MY_APP_CRED: secret only by the configured pattern *_CRED
  apiToken: `apitoken${hex()}`, // API_TOKEN=… written in a Procfile command line
  stripeKey: `stripe${hex()}`, // STRIPE_SECRET_KEY in a process's env: in procinit.yaml
  waitPassword: `waitpassword${hex()}`, // in a wait_for http URL
  wrongPassword: `wrongpassword${hex()}`, // in a wait_for http URL that gets 401
  badEscapePassword: `100%sure${hex()}`, // in a wait_for http URL: `%su` is no valid %-escape
};

/** Shown unmasked where the secrets are masked: proof that the scanned output shows values. */
const PLAIN = `visible-${hex()}`;

const ENV = {
  OPENAI_API_KEY: S.openaiKey,
  DATABASE_PASSWORD: S.dbPassword,
  DATABASE_URL: `postgres://app:${S.dbUrlPassword}@db.internal:5432/app`,
  MY_APP_CRED: S.appCred,
};

const PROCFILE = `web: API_TOKEN=${S.apiToken} true --db-password=${S.dbPassword} ${ENV.DATABASE_URL}\n`;

type Scenario = 'starts' | 'wait-fails' | 'task-fails';

/** procinit.yaml for a scenario: every secret in it, and only the scenario's failure. */
function configFor(scenario: Scenario, ports: { auth: number; down: number }): Record<string, unknown> {
  const waitFor =
    scenario === 'wait-fails'
      ? [
          { http: `http://probe:${S.waitPassword}@127.0.0.1:${ports.down}/health`, timeout: '1500ms' },
          { http: `http://probe:${S.wrongPassword}@127.0.0.1:${ports.auth}/health`, timeout: '1500ms' },
          { http: `http://probe:${S.badEscapePassword}@127.0.0.1:${ports.auth}/health`, timeout: '1500ms' },
        ]
      : [{ http: `http://probe:${S.waitPassword}@127.0.0.1:${ports.auth}/health`, timeout: '5s' }];
  return {
    processes: {
      web: { restart: 'never' },
      worker: {
        command: `true --api-key=${S.openaiKey}`,
        restart: 'never',
        env: {
          MY_APP_CRED: S.appCred,
          STRIPE_SECRET_KEY: S.stripeKey,
          DATABASE_URL: ENV.DATABASE_URL,
          PLAIN_SETTING: PLAIN,
        },
      },
    },
    preflight: {
      env: { required: Object.keys(ENV), secret: ['*_CRED'] },
      wait_for: waitFor,
      tasks: [
        {
          name: 'migrate',
          run: `MY_APP_CRED=${S.appCred} sh -c 'exit ${scenario === 'task-fails' ? 3 : 0}'`,
        },
      ],
    },
  };
}

/** One way of running procinit, what it must exit with, and what must be in its output. */
interface Invocation {
  label: string;
  scenario: Scenario;
  args: (flags: readonly string[]) => string[];
  code: number;
  /** Strings that must appear: the scan saw real output, and masking happened in it. */
  evidence: (verbosity: number) => string[];
}

const REPORT_EVIDENCE = [
  'env OPENAI_API_KEY: set (hidden)',
  'env DATABASE_PASSWORD: set (hidden)',
  'env MY_APP_CRED: set (hidden)',
  'env DATABASE_URL: set',
  'wait_for http http://probe:****@127.0.0.1:',
];

/** What -v adds for the processes: their argv and env, masked, beside a plain value. */
const SPAWN_EVIDENCE = [
  'API_TOKEN=**** exec true --db-password=**** postgres://app:****@db.internal:5432/app',
  '--api-key=****',
  `"MY_APP_CRED":"****"`,
  `"STRIPE_SECRET_KEY":"****"`,
  `"PLAIN_SETTING":"${PLAIN}"`,
];

const INVOCATIONS: Invocation[] = [
  {
    label: 'run, all checks pass, processes start',
    scenario: 'starts',
    args: (flags) => ['run', ...flags],
    code: 0,
    evidence: (verbosity) => [
      ...REPORT_EVIDENCE,
      'reachable (HTTP 200)',
      ...(verbosity > 0 ? [...SPAWN_EVIDENCE, 'MY_APP_CRED=**** sh -c'] : []),
    ],
  },
  {
    label: 'run, wait_for fails against URLs with passwords (down, 401, bad %-escape)',
    scenario: 'wait-fails',
    args: (flags) => ['run', ...flags],
    code: 78,
    evidence: (verbosity) => [
      ...REPORT_EVIDENCE,
      '(last: ECONNREFUSED)',
      '(last: HTTP 401)',
      "malformed %-escape in the URL's user or password",
      // -vv: every attempt, naming its target.
      ...(verbosity > 1 ? ['/health: attempt 1: ECONNREFUSED', '/health: attempt 1: HTTP 401'] : []),
    ],
  },
  {
    label: 'run, the task with a secret in its command fails',
    scenario: 'task-fails',
    args: (flags) => ['run', ...flags],
    code: 78,
    evidence: (verbosity) => [
      ...REPORT_EVIDENCE,
      'task migrate: exit 3',
      ...(verbosity > 0 ? ['MY_APP_CRED=**** sh -c'] : []),
    ],
  },
  {
    label: 'check',
    scenario: 'starts',
    args: (flags) => ['check', ...flags],
    code: 0,
    evidence: () => [...REPORT_EVIDENCE, 'would run: `MY_APP_CRED=**** sh -c'],
  },
  {
    label: 'check, wait_for targets down or unusable',
    scenario: 'wait-fails',
    args: (flags) => ['check', ...flags],
    code: 78, // the URL with a bad %-escape can never work: check fails it too
    evidence: () => [
      ...REPORT_EVIDENCE,
      'not reachable now (ECONNREFUSED)',
      'not reachable now (HTTP 401)',
      "malformed %-escape in the URL's user or password",
    ],
  },
  {
    label: 'config',
    scenario: 'starts',
    args: (flags) => ['config', ...flags],
    code: 0,
    evidence: () => [
      'MY_APP_CRED: "****"',
      'STRIPE_SECRET_KEY: "****"',
      `PLAIN_SETTING: ${PLAIN}`,
      'DATABASE_URL: postgres://app:****@db.internal:5432/app',
      '--api-key=****',
      'http://probe:****@127.0.0.1:',
      'MY_APP_CRED=**** sh -c',
    ],
  },
  {
    label: 'single command (procinit -- COMMAND)',
    scenario: 'starts',
    args: (flags) => [...flags, '--', 'true', `--api-key=${S.openaiKey}`, ENV.DATABASE_URL],
    code: 0,
    evidence: (verbosity) => [
      'true.1',
      ...(verbosity > 0 ? ['"--api-key=****"', '"postgres://app:****@db.internal:5432/app"'] : []),
    ],
  },
];

/** The names of the secrets whose value appears in `output`. */
function leaked(output: string): string[] {
  return Object.entries(S)
    .filter(([, value]) => output.includes(value))
    .map(([name]) => name);
}

describe('no secret value is ever printed', () => {
  const projects = {} as Record<Scenario, string>;
  beforeAll(async () => {
    const basic = `Basic ${Buffer.from(`probe:${S.waitPassword}`).toString('base64')}`;
    // Answers 200 only with the right password: the password is used, yet never shown.
    const auth = await listenHttp(0, (req, res) => {
      res.statusCode = req.headers.authorization === basic ? 200 : 401;
      res.end();
    });
    const ports = { auth: auth.port, down: await freePort() };
    for (const scenario of ['starts', 'wait-fails', 'task-fails'] as const) {
      projects[scenario] = project(PROCFILE, configFor(scenario, ports));
    }
  });
  afterAll(async () => {
    killAll();
    await closeListeners();
    removeTempDirs();
  });

  describe.each(['pretty', 'json', 'raw'] as const)('--log-format %s', (format) => {
    it.each([
      { verbosity: 0, flags: [] },
      { verbosity: 1, flags: ['-v'] },
      { verbosity: 2, flags: ['-vv'] },
    ])('$flags: run, check, config, single command', async ({ verbosity, flags: verbose }) => {
      const flags = ['--log-format', format, ...verbose];
      const results: Finished[] = await Promise.all(
        INVOCATIONS.map((invocation) =>
          runProcinit(invocation.args(flags), { cwd: projects[invocation.scenario], env: ENV }),
        ),
      );
      INVOCATIONS.forEach((invocation, index) => {
        const { code, output } = results[index] as Finished;
        const context = `${invocation.label} (${flags.join(' ')})\n${output}`;
        expect(code, context).toBe(invocation.code);
        expect(leaked(output), context).toEqual([]);
        for (const evidence of invocation.evidence(verbosity)) {
          expect(output, context).toContain(evidence);
        }
      });
    });
  });
});
