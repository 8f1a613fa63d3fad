import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logPreflightReport, renderPreflightReport } from '../../src/preflight/render-report.js';
import { runPreflight } from '../../src/preflight/run-preflight.js';
import { capture, configFrom } from '../fixtures/preflight/preflight-harness.js';

const root = mkdtempSync(join(tmpdir(), 'procinit-report-'));
const servers: (Server | HttpServer)[] = [];

function listen(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen({ port: 0, host: '0.0.0.0' }, () => resolve((server.address() as { port: number }).port)),
  );
}

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const SECRET_VALUES = ['S3cr3t-Key-Value', 'hunter2-db-pass', 'elastic-pass-xyz', 'tok-123-abc'];

describe('the preflight report (real checks)', () => {
  let busyPort: number;
  let closedPort: number;
  let searchPort: number;

  beforeAll(async () => {
    busyPort = await listen(createServer());
    const closing = createServer();
    closedPort = await new Promise<number>((resolve) =>
      closing.listen({ port: 0, host: '127.0.0.1' }, () =>
        resolve((closing.address() as { port: number }).port),
      ),
    );
    await new Promise((resolve) => closing.close(resolve));
    // A search server that answers 200 only to the credentials in the URL (Basic auth).
    const expected = `Basic ${Buffer.from('elastic:elastic-pass-xyz').toString('base64')}`;
    searchPort = await listen(
      createHttpServer((request, response) =>
        response.writeHead(request.headers.authorization === expected ? 200 : 401).end(),
      ),
    );
  });

  it('reports every failing check of every kind in one report, and starts no task', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const config = configFrom(`
preflight:
  env: { required: [DATABASE_URL, SECRET_KEY] }
  dirs: [{ path: ${join(file, 'uploads')} }]
  commands: [definitely-not-installed-xyz]
  ports_free: [${busyPort}]
  wait_for: [{ tcp: "127.0.0.1:${closedPort}", timeout: 1h }]
  tasks: [{ name: migrate, run: "echo MUST-NOT-RUN", user: no-such-user-xyz }]
`);
    const out = capture({ level: 'info' });
    const result = await runPreflight(config, {
      mode: 'run',
      environ: { PATH: '/usr/bin:/bin' },
      output: out.output,
      logger: out.logger,
    });
    logPreflightReport(result, out.logger);
    expect(result.ok).toBe(false);
    const failed = result.lines.filter((line) => !line.ok).map((line) => `${line.check} ${line.subject}`);
    expect(failed).toEqual([
      'env DATABASE_URL',
      'env SECRET_KEY',
      'user no-such-user-xyz',
      `dir ${join(file, 'uploads')}`,
      'command definitely-not-installed-xyz',
      `port ${busyPort}`,
    ]);
    const report = renderPreflightReport(result);
    expect(report.at(-1)).toBe(
      `preflight failed: 6 of 8 checks failed (${failed.join(', ')}); nothing was started`,
    );
    expect(report.join('\n')).toContain(`[FAIL] port ${busyPort}: in use by pid ${process.pid}`);
    // The 1 h wait_for got one attempt: the failures above were known already.
    expect(result.durationMs).toBeLessThan(10_000);
    expect(out.text()).not.toContain('task:migrate ');
    // Every failure line carries a fix.
    expect(result.lines.filter((line) => !line.ok).every((line) => line.fix !== undefined)).toBe(true);
  });

  it.each([
    ['run', 'pretty'],
    ['run', 'json'],
    ['check', 'pretty'],
    ['check', 'json'],
  ] as const)(
    'never prints a secret value set in the environment (%s, %s, at trace)',
    async (mode, format) => {
      const config = configFrom(`
preflight:
  env:
    required: [SECRET_KEY, DATABASE_URL, SERVICE_TOK]
    secret: ["*_TOK"]
  dirs: [{ path: ${join(root, `ok-${mode}-${format}`)}, mode: "0750" }]
  commands: [sh]
  wait_for:
    - { http: "http://elastic:elastic-pass-xyz@127.0.0.1:${searchPort}/_cluster/health?token=tok-123-abc", timeout: 10s }
  tasks:
    - { name: migrate, run: "DB_PASSWORD=hunter2-db-pass sh -c 'echo migrated'" }
`);
      const out = capture({ level: 'trace', format });
      const environ = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SECRET_KEY: 'S3cr3t-Key-Value',
        DATABASE_URL: 'postgres://app:hunter2-db-pass@db:5432/app',
        SERVICE_TOK: 'tok-123-abc',
      };
      const result = await runPreflight(config, { mode, environ, output: out.output, logger: out.logger });
      logPreflightReport(result, out.logger);
      expect(result.ok).toBe(true);
      if (mode === 'run') {
        // The credentials were used (the server answered 200 only to them), and the task ran.
        expect(result.lines.find((line) => line.check === 'wait_for')?.detail).toBe('reachable (HTTP 200)');
        expect(out.text()).toContain('migrated');
      }
      const printed = out.text() + renderPreflightReport(result).join('\n');
      expect(printed).toContain('SECRET_KEY: set (hidden)');
      expect(printed).toContain('elastic:****@127.0.0.1');
      for (const secret of SECRET_VALUES) expect(printed).not.toContain(secret);
    },
  );
});
