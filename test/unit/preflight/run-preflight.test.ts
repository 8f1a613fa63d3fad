import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logPreflightReport, renderPreflightReport } from '../../../src/preflight/render-report.js';
import { runPreflight } from '../../../src/preflight/run-preflight.js';
import { capture, configFrom, quietDeps } from '../../fixtures/preflight/preflight-harness.js';

const root = mkdtempSync(join(tmpdir(), 'procinit-preflight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A configuration that uses every check kind. */
function everything(dir: string) {
  return configFrom(`
user: appuser
preflight:
  env:
    required: [DATABASE_URL, SECRET_KEY]
    optional: [SENTRY_DSN]
    secret: ["*_DSN"]
  dirs:
    - { path: ${dir}, mode: "0750", owner: "appuser" }
  commands: [sh]
  ports_free: [8000]
  wait_for:
    - { tcp: "db:5432", timeout: 30s }
    - { http: "http://elastic:hunter2@search:9200/_cluster/health", timeout: 60s }
  tasks:
    - { name: migrate, run: "PGPASSWORD=hunter2 alembic upgrade head", timeout: 5m }
`);
}

const appuserDb = () => ({
  passwd: [
    { name: 'root', uid: 0, gid: 0, home: '/root' },
    { name: 'appuser', uid: 1000, gid: 1000, home: '/home/appuser' },
  ],
  groups: [{ name: 'appuser', gid: 1000, members: [] }],
});

describe('runPreflight', () => {
  it('reports every failure of every kind together, in one report, and runs no task', async () => {
    const config = everything(join(root, 'never'));
    const out = capture();
    let attempts = 0;
    const result = await runPreflight(config, {
      mode: 'run',
      environ: { PATH: '/nonexistent' },
      output: out.output,
      logger: out.logger,
      deps: quietDeps({
        bind: async () => 'EADDRINUSE',
        holderOf: () => ({ pid: 7, name: 'nginx' }),
        attempt: async () => {
          attempts++;
          return { ok: false, detail: 'ECONNREFUSED' };
        },
      }),
    });
    expect(result.ok).toBe(false);
    expect(result.lines.map((line) => [line.check, line.subject, line.severity])).toEqual([
      ['env', 'DATABASE_URL', 'fail'],
      ['env', 'SECRET_KEY', 'fail'],
      ['env', 'SENTRY_DSN', 'warn'],
      ['user', 'appuser', 'fail'],
      ['dir', join(root, 'never'), 'fail'],
      ['command', 'sh', 'fail'],
      ['port', '8000', 'fail'],
      ['wait_for', 'tcp db:5432', 'warn'],
      ['wait_for', 'http http://elastic:****@search:9200/_cluster/health', 'warn'],
      ['task', 'migrate', 'warn'],
    ]);
    // With failures known, targets got one attempt each instead of 30 s and 60 s of waiting.
    expect(attempts).toBe(2);
    expect(result.lines.find((line) => line.check === 'task')?.detail).toMatch(
      /^not run \(an earlier check failed\)/,
    );
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('passes when everything is in place, and hands back the resolved users', async () => {
    const dir = join(root, 'ok');
    const config = configFrom(`
user: appuser
preflight:
  env: { required: [DATABASE_URL] }
  dirs: [{ path: ${dir}, mode: "0700" }]
  commands: [sh]
  ports_free: [8000]
  wait_for: [{ tcp: "db:5432" }]
`);
    const out = capture();
    const result = await runPreflight(config, {
      mode: 'run',
      environ: { PATH: '/bin:/usr/bin', DATABASE_URL: 'postgres://db/app' },
      output: out.output,
      logger: out.logger,
      deps: quietDeps({ userDatabase: appuserDb }),
    });
    expect(result.lines.filter((line) => line.severity !== 'ok')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.identities.get('appuser')).toMatchObject({ uid: 1000, gid: 1000, home: '/home/appuser' });
    expect(existsSync(dir)).toBe(true);
  });

  it('retries a wait_for until it answers when every other check passed', async () => {
    const config = configFrom('preflight:\n  wait_for: [{ tcp: "db:5432", timeout: 30s }]\n');
    const out = capture();
    let attempts = 0;
    const result = await runPreflight(config, {
      mode: 'run',
      environ: {},
      output: out.output,
      logger: out.logger,
      deps: quietDeps({
        attempt: async () =>
          ++attempts < 3 ? { ok: false, detail: 'ECONNREFUSED' } : { ok: true, detail: 'connected' },
      }),
    });
    expect(result.ok).toBe(true);
    expect(attempts).toBe(3);
  });

  it('check mode creates nothing, waits for nothing, runs nothing, and still fails what is wrong', async () => {
    const dir = join(root, 'check-only');
    const out = capture();
    let attempts = 0;
    let sleeps = 0;
    const result = await runPreflight(everything(dir), {
      mode: 'check',
      environ: { PATH: '/bin:/usr/bin', DATABASE_URL: 'x', SECRET_KEY: 'y' },
      output: out.output,
      logger: out.logger,
      deps: quietDeps({
        userDatabase: appuserDb,
        attempt: async () => {
          attempts++;
          return { ok: false, detail: 'ECONNREFUSED' };
        },
        sleep: async () => {
          sleeps++;
        },
        bind: async () => 'EADDRINUSE',
      }),
    });
    expect(existsSync(dir)).toBe(false);
    expect(attempts).toBe(2);
    expect(sleeps).toBe(0);
    expect(result.lines.find((line) => line.check === 'dir')?.detail).toMatch(/^missing: would be created/);
    expect(result.lines.find((line) => line.check === 'task')).toMatchObject({
      severity: 'ok',
      detail: 'would run: `PGPASSWORD=**** alembic upgrade head` (timeout 5m, as appuser)',
    });
    expect(result.ok).toBe(false); // the port is taken: exit 78
    expect(result.lines.filter((line) => !line.ok).map((line) => line.check)).toEqual(['port']);
  });

  it.each(['pretty', 'json'] as const)(
    'never prints a secret value, in any mode, at trace level (%s)',
    async (format) => {
      const secrets = ['s3cr3t-key-value', 'hunter2', 'dsn-token-value', 'plainvalue'];
      for (const mode of ['run', 'check'] as const) {
        const out = capture({ level: 'trace', format });
        // A clock that moves only when preflight sleeps: the waits run their course in no time.
        let nowMs = 0;
        const result = await runPreflight(everything(join(root, `secret-${mode}-${format}`)), {
          mode,
          environ: {
            PATH: '/bin:/usr/bin',
            SECRET_KEY: 's3cr3t-key-value',
            DATABASE_URL: 'postgres://app:hunter2@db/app',
            SENTRY_DSN: 'dsn-token-value',
            PLAIN: 'plainvalue',
          },
          output: out.output,
          logger: out.logger,
          now: () => nowMs,
          deps: quietDeps({
            userDatabase: appuserDb,
            attempt: async () => ({ ok: false, detail: 'ECONNREFUSED' }),
            sleep: async (ms) => {
              nowMs += ms;
            },
          }),
        });
        logPreflightReport(result, out.logger);
        const everythingPrinted = out.text() + renderPreflightReport(result).join('\n');
        expect(everythingPrinted).toContain('SECRET_KEY: set (hidden)');
        for (const secret of secrets) expect(everythingPrinted).not.toContain(secret);
      }
    },
  );
});
