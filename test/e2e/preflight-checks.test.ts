import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/procinit.js';
import {
  childLines,
  closeListeners,
  freePort,
  listenHttp,
  listenTcp,
  removeTempDirs,
  report,
  reportLine,
  runProcinit,
  tempDir,
  writeProject,
} from './preflight-helpers.js';

// SPEC §7: every kind of check, passing and failing, through the built binary: `procinit check`
// and `procinit run` (the default command), each with its report line and exit code (§8: 78).

afterEach(async () => {
  killAll();
  await closeListeners();
});
afterAll(removeTempDirs);

const JSON_LOG = ['--log-format', 'json'];

describe('every check kind passes', () => {
  it('check and run print one [ok] line per check, in order; run then starts the process', async () => {
    const dir = tempDir();
    const tcp = await listenTcp();
    const http = await listenHttp(0, (_, res) => res.end('green'));
    const port = await freePort();
    const uploads = join(dir, 'var/uploads');
    writeProject(dir, 'web: echo web ran\n', {
      processes: { web: { restart: 'never' } },
      preflight: {
        env: { required: ['APP_MODE'], optional: ['APP_COLOUR'] },
        dirs: [{ path: uploads, mode: '0750' }],
        commands: ['sh', process.execPath],
        ports_free: [port],
        wait_for: [
          { tcp: `127.0.0.1:${tcp.port}`, timeout: '5s' },
          { http: `http://127.0.0.1:${http.port}/health`, timeout: '5s' },
        ],
        tasks: [{ name: 'prepare', run: 'echo prepared' }],
      },
    });
    const env = { APP_MODE: 'production', APP_COLOUR: 'blue' };
    const linesFor = (dirDetail: string, taskDetail: string) => [
      '[ok]   env APP_MODE: set',
      '[ok]   env APP_COLOUR: set',
      `[ok]   dir ${uploads}: ${dirDetail}`,
      expect.stringMatching(/^\[ok\] {3}command sh: \/\S+\/sh$/),
      `[ok]   command ${process.execPath}: ${process.execPath}`,
      `[ok]   port ${port}: free`,
      `[ok]   wait_for tcp 127.0.0.1:${tcp.port}: reachable (connected)`,
      `[ok]   wait_for http http://127.0.0.1:${http.port}/health: reachable (HTTP 200)`,
      expect.stringMatching(taskDetail),
    ];

    const check = await runProcinit(['check', ...JSON_LOG], { cwd: dir, env });
    expect(check.code, check.output).toBe(0);
    expect(report(check)).toEqual([
      ...linesFor(
        'missing: would be created, mode 0750',
        '^\\[ok\\] {3}task prepare: would run: `echo prepared`',
      ),
      expect.stringMatching(/^check passed: 9 checks, in \d+ms; nothing was created, waited for or run$/),
    ]);

    const run = await runProcinit(JSON_LOG, { cwd: dir, env });
    expect(run.code, run.output).toBe(0);
    expect(report(run)).toEqual([
      ...linesFor('created, mode 0750', '^\\[ok\\] {3}task prepare: exit 0 after \\d+ms$'),
      expect.stringMatching(/^preflight passed: 9 checks, in \d+ms$/),
    ]);
    expect(existsSync(uploads)).toBe(true);
    expect(childLines(run, 'task:prepare')).toEqual(['prepared']);
    expect(childLines(run, 'web.1')).toEqual(['web ran']);
  });
});

/** What a failing case needs prepared before procinit runs. */
interface Context {
  dir: string;
  /** A port: held by a listener (`hold-port`), answering 503 (`http-503`), or free. */
  port: number;
}

interface Outcome {
  code: 0 | 78;
  line: RegExp;
}

interface FailingCase {
  name: string;
  setup?: 'hold-port' | 'http-503';
  env?: Record<string, string>;
  /** procinit.yaml besides `processes.web`, built once the project directory exists. */
  config: (ctx: Context) => Record<string, unknown>;
  /** The check and subject of the line that must say what went wrong. */
  subject: (ctx: Context) => [string, string];
  check: Outcome;
  run: Outcome;
}

const FAILING: FailingCase[] = [
  {
    name: 'env: a required variable is missing',
    config: () => ({ preflight: { env: { required: ['PREFLIGHT_E2E_NEEDED'] } } }),
    subject: () => ['env', 'PREFLIGHT_E2E_NEEDED'],
    check: { code: 78, line: /^\[FAIL\] env PREFLIGHT_E2E_NEEDED: missing; fix: set PREFLIGHT_E2E_NEEDED / },
    run: { code: 78, line: /^\[FAIL\] env PREFLIGHT_E2E_NEEDED: missing; fix: set PREFLIGHT_E2E_NEEDED / },
  },
  {
    name: 'env: a required variable is set but empty',
    env: { PREFLIGHT_E2E_NEEDED: '' },
    config: () => ({ preflight: { env: { required: ['PREFLIGHT_E2E_NEEDED'] } } }),
    subject: () => ['env', 'PREFLIGHT_E2E_NEEDED'],
    check: { code: 78, line: /^\[FAIL\] env PREFLIGHT_E2E_NEEDED: set but empty; fix: / },
    run: { code: 78, line: /^\[FAIL\] env PREFLIGHT_E2E_NEEDED: set but empty; fix: / },
  },
  {
    name: 'env: an optional variable is missing (a warning, never a failure)',
    config: () => ({ preflight: { env: { optional: ['PREFLIGHT_E2E_WANTED'] } } }),
    subject: () => ['env', 'PREFLIGHT_E2E_WANTED'],
    check: { code: 0, line: /^\[warn\] env PREFLIGHT_E2E_WANTED: not set \(optional\)$/ },
    run: { code: 0, line: /^\[warn\] env PREFLIGHT_E2E_WANTED: not set \(optional\)$/ },
  },
  {
    name: 'dirs: the path is a regular file',
    config: ({ dir }) => {
      writeFileSync(join(dir, 'data'), 'not a directory');
      return { preflight: { dirs: [{ path: join(dir, 'data'), mode: '0750' }] } };
    },
    subject: ({ dir }) => ['dir', join(dir, 'data')],
    check: { code: 78, line: /: exists and is not a directory; fix: remove or rename it/ },
    run: { code: 78, line: /: exists and is not a directory; fix: remove or rename it/ },
  },
  {
    name: 'dirs: the owner does not exist',
    config: ({ dir }) => ({ preflight: { dirs: [{ path: join(dir, 'logs'), owner: 'no-such-user-e2e' }] } }),
    subject: ({ dir }) => ['dir', join(dir, 'logs')],
    check: { code: 78, line: /: owner: user "no-such-user-e2e" does not exist in \/etc\/passwd; fix: / },
    run: { code: 78, line: /: owner: user "no-such-user-e2e" does not exist in \/etc\/passwd; fix: / },
  },
  {
    name: 'commands: not on PATH',
    config: () => ({ preflight: { commands: ['no-such-command-e2e'] } }),
    subject: () => ['command', 'no-such-command-e2e'],
    check: { code: 78, line: /^\[FAIL\] command no-such-command-e2e: not found on PATH=.*; fix: install / },
    run: { code: 78, line: /^\[FAIL\] command no-such-command-e2e: not found on PATH=.*; fix: install / },
  },
  {
    name: 'commands: a path that is not executable',
    config: ({ dir }) => {
      writeFileSync(join(dir, 'tool.sh'), '#!/bin/sh\n', { mode: 0o644 });
      return { preflight: { commands: [join(dir, 'tool.sh')] } };
    },
    subject: ({ dir }) => ['command', join(dir, 'tool.sh')],
    check: { code: 78, line: /: not found, or not an executable file; fix: / },
    run: { code: 78, line: /: not found, or not an executable file; fix: / },
  },
  {
    name: 'ports_free: something listens on the port',
    setup: 'hold-port',
    config: ({ port }) => ({ preflight: { ports_free: [port] } }),
    subject: ({ port }) => ['port', String(port)],
    check: { code: 78, line: new RegExp(`: in use by pid ${process.pid} \\(.+\\); fix: stop what listens`) },
    run: { code: 78, line: new RegExp(`: in use by pid ${process.pid} \\(.+\\); fix: stop what listens`) },
  },
  {
    name: 'wait_for tcp: nothing listens (check does not wait: a warning)',
    config: ({ port }) => ({ preflight: { wait_for: [{ tcp: `127.0.0.1:${port}`, timeout: '500ms' }] } }),
    subject: ({ port }) => ['wait_for', `tcp 127.0.0.1:${port}`],
    check: {
      code: 0,
      line: /: not reachable now \(ECONNREFUSED\); not waited for: procinit check waits for nothing$/,
    },
    run: { code: 78, line: /: not reachable after 500ms, \d+ attempts \(last: ECONNREFUSED\); fix: / },
  },
  {
    name: 'wait_for http: the server answers 503 (check does not wait: a warning)',
    setup: 'http-503',
    config: ({ port }) => ({
      preflight: { wait_for: [{ http: `http://127.0.0.1:${port}/ready`, timeout: '500ms' }] },
    }),
    subject: ({ port }) => ['wait_for', `http http://127.0.0.1:${port}/ready`],
    check: { code: 0, line: /: not reachable now \(HTTP 503\); not waited for: / },
    run: { code: 78, line: /: not reachable after 500ms, \d+ attempts \(last: HTTP 503\); fix: / },
  },
  {
    // Node throws at once on a bad %-escape in the userinfo; that must be a report line, not a crash.
    name: 'wait_for http: the password in the URL is not valid percent-encoding (it can never work)',
    config: ({ port }) => ({
      preflight: { wait_for: [{ http: `http://probe:50%off@127.0.0.1:${port}/health`, timeout: '10m' }] },
    }),
    subject: ({ port }) => ['wait_for', `http http://probe:****@127.0.0.1:${port}/health`],
    check: { code: 78, line: /: malformed %-escape in the URL's user or password; fix: .*% as %25/ },
    run: { code: 78, line: /: malformed %-escape in the URL's user or password; fix: .*% as %25/ },
  },
  {
    name: 'tasks: a task exits non-zero (check runs nothing)',
    config: () => ({ preflight: { tasks: [{ name: 'seed', run: 'exit 4' }] } }),
    subject: () => ['task', 'seed'],
    check: { code: 0, line: /^\[ok\] {3}task seed: would run: `exit 4` \(timeout 1h\)$/ },
    run: { code: 78, line: /^\[FAIL\] task seed: exit 4 after \d+ms; fix: see its output above/ },
  },
  {
    name: 'user: a process runs as a user that does not exist',
    config: () => ({ processes: { web: { restart: 'never', user: 'no-such-user-e2e' } } }),
    subject: () => ['user', 'no-such-user-e2e'],
    check: { code: 78, line: /: user "no-such-user-e2e" does not exist in \/etc\/passwd \(for web\); fix: / },
    run: { code: 78, line: /: user "no-such-user-e2e" does not exist in \/etc\/passwd \(for web\); fix: / },
  },
];

describe('each check kind fails on its own', () => {
  it.each(FAILING)('$name', async (failing) => {
    const dir = tempDir();
    const port =
      failing.setup === 'hold-port'
        ? (await listenTcp()).port
        : failing.setup === 'http-503'
          ? (
              await listenHttp(0, (_, res) => {
                res.statusCode = 503;
                res.end('not yet');
              })
            ).port
          : await freePort();
    const ctx = { dir, port };
    const marker = join(dir, 'web-started');
    const config = failing.config(ctx);
    writeProject(dir, `web: touch ${marker}\n`, { processes: { web: { restart: 'never' } }, ...config });
    const [check, subject] = failing.subject(ctx);
    const options = { cwd: dir, ...(failing.env ? { env: failing.env } : {}) };

    for (const [command, expected] of [
      ['check', failing.check],
      ['run', failing.run],
    ] as const) {
      const result = await runProcinit([command, ...JSON_LOG], options);
      expect(result.code, result.output).toBe(expected.code);
      expect(reportLine(result, check, subject), result.output).toMatch(expected.line);
      const summary = report(result).at(-1);
      const name = command === 'check' ? 'check' : 'preflight';
      if (expected.code === 78) {
        expect(summary).toContain(`${name} failed: 1 of 1 check failed (${check} ${subject})`);
      } else {
        const warned = reportLine(result, check, subject)?.startsWith('[warn]') ? ', 1 warning' : '';
        expect(summary).toMatch(new RegExp(`^${name} passed: 1 check${warned}, in \\d+ms`));
      }
      // The process starts only when `run` passes preflight; `check` never starts it.
      expect(existsSync(marker)).toBe(command === 'run' && expected.code === 0);
    }
  });
});
