/**
 * `procinit healthcheck` and `procinit status` against a real health server. The functions are
 * called directly; the binary is spawned too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandContext, healthcheckCommand } from '../../src/cli/healthcheck-command.js';
import { type StatusContext, statusCommand } from '../../src/cli/status-command.js';
import { freePort } from '../helpers/free-port.js';
import { killAll, startProcinit } from '../helpers/procinit.js';
import { closeServers, START_MS, serve, twoProcesses } from './health-helpers.js';

const others = new Set<Server>();
const httpOthers = new Set<HttpServer>();
afterEach(async () => {
  await closeServers();
  await Promise.all(
    [...others, ...httpOthers].map((server) => new Promise((resolve) => server.close(resolve))),
  );
  others.clear();
  httpOthers.clear();
});

function healthyState() {
  const h = twoProcesses();
  h.ready('web.1', true, START_MS + 300);
  return h.state;
}

function unhealthyState() {
  const h = twoProcesses();
  h.ready('web.1', true, START_MS + 300);
  h.exited('worker.1', 1, START_MS + 1000);
  return h.state;
}

/** A context with an empty working directory and environment, capturing what is printed. */
function context(environ: NodeJS.ProcessEnv = {}, cwd = mkdtempSync(join(tmpdir(), 'procinit-hc-'))) {
  const err: string[] = [];
  const out: string[] = [];
  const ctx: StatusContext & CommandContext = {
    environ,
    cwd,
    writeErr: (text) => err.push(text),
    writeOut: (text) => void out.push(text),
    nowMs: () => START_MS + 60_000,
  };
  return { ctx, err, out };
}

/** A server that accepts connections and never answers. */
async function silentServer(): Promise<number> {
  const server = createServer((socket) => {
    // Read (and ignore) the request, so a client that gives up is seen to leave.
    socket.resume();
  });
  others.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('healthcheckCommand', () => {
  it('exits 0 when /health is 200, printing nothing', async () => {
    const { port } = await serve(healthyState());
    const { ctx, err } = context();
    expect(await healthcheckCommand({ port, host: '127.0.0.1' }, ctx)).toBe(0);
    expect(err).toEqual([]);
  });

  it('exits 1 when /health is 503, saying which processes are behind it', async () => {
    const { port } = await serve(unhealthyState());
    const { ctx, err } = context();
    expect(await healthcheckCommand({ port, host: '127.0.0.1' }, ctx)).toBe(1);
    expect(err).toEqual(['procinit healthcheck: unhealthy (HTTP 503): worker.1 backoff\n']);
  });

  it('names the processes that are not ready yet while starting', async () => {
    const { port } = await serve(twoProcesses().state);
    const { ctx, err } = context();
    expect(await healthcheckCommand({ port, host: '127.0.0.1' }, ctx)).toBe(1);
    expect(err).toEqual(['procinit healthcheck: starting (HTTP 503): web.1 running, not ready\n']);
  });

  it('exits 1 when nothing listens, asking whether procinit runs', async () => {
    const port = await freePort();
    const { ctx, err } = context();
    expect(await healthcheckCommand({ port }, ctx)).toBe(1);
    expect(err).toEqual([
      `procinit healthcheck: is procinit running? nothing listens on 127.0.0.1:${port}\n`,
    ]);
  });

  it('gives up after --timeout when the server does not answer', async () => {
    const port = await silentServer();
    const { ctx, err } = context();
    const startedMs = Date.now();
    expect(await healthcheckCommand({ port, timeout: '200ms' }, ctx)).toBe(1);
    expect(Date.now() - startedMs).toBeLessThan(2000);
    expect(err).toEqual([`procinit healthcheck: no answer from 127.0.0.1:${port} within 200 ms\n`]);
  });

  it('finds the port in PROCINIT_HEALTH_PORT', async () => {
    const { port } = await serve(healthyState());
    const { ctx } = context({ PROCINIT_HEALTH_PORT: String(port) });
    expect(await healthcheckCommand({}, ctx)).toBe(0);
  });

  it('finds the port in ./procinit.yaml, asking 127.0.0.1 for a server on 0.0.0.0', async () => {
    const { port } = await serve(healthyState());
    const cwd = mkdtempSync(join(tmpdir(), 'procinit-hc-'));
    writeFileSync(join(cwd, 'procinit.yaml'), `health:\n  port: ${port}\n  host: 0.0.0.0\n`);
    const { ctx } = context({}, cwd);
    expect(await healthcheckCommand({}, ctx)).toBe(0);
  });

  it.each([
    [{ timeout: 'soon' }, /^procinit healthcheck: --timeout: expected a duration .* found "soon"\n$/],
    [{ timeout: '0' }, /^procinit healthcheck: --timeout: expected a duration above 0, found 0\n$/],
    [{ port: 0 }, /^procinit healthcheck: the health server is disabled \(health port 0\)\n$/],
  ])('exits 1, never 2 (reserved by Docker), for %j', async (options, message) => {
    const { ctx, err } = context();
    expect(await healthcheckCommand(options, ctx)).toBe(1);
    expect(err.join('')).toMatch(message);
  });

  it('exits 1, never 2, for an invalid procinit.yaml', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'procinit-hc-'));
    writeFileSync(join(cwd, 'procinit.yaml'), 'health:\n  port: lots\n');
    const { ctx, err } = context({}, cwd);
    expect(await healthcheckCommand({}, ctx)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^procinit healthcheck: .*health\.port/);
  });
});

describe('statusCommand', () => {
  it('prints a table of the processes, and exits 0 whatever the status', async () => {
    const { port } = await serve(unhealthyState());
    const { ctx, out, err } = context();
    expect(await statusCommand({ port }, ctx)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('')).toBe(
      [
        'procinit 0.1.0: unhealthy, up 42s',
        'ID        STATE    READY  PID  RESTARTS  UPTIME  LAST EXIT',
        'web.1     running  yes    17   0         59s     -',
        'worker.1  backoff  no     -    0         -       exit 1, 59s ago',
        '',
      ].join('\n'),
    );
  });

  it('prints the raw JSON with --json', async () => {
    const { port } = await serve(healthyState());
    const { ctx, out } = context();
    expect(await statusCommand({ port, json: true }, ctx)).toBe(0);
    expect(out.join('').endsWith('\n')).toBe(true);
    expect(JSON.parse(out.join(''))).toMatchObject({ status: 'healthy', processes: [{ id: 'web.1' }, {}] });
  });

  it('exits 1 when procinit cannot be reached', async () => {
    const port = await freePort();
    const { ctx, out, err } = context();
    expect(await statusCommand({ port }, ctx)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([`procinit status: is procinit running? nothing listens on 127.0.0.1:${port}\n`]);
  });

  it('exits 1 when what answers is not procinit', async () => {
    const other = createHttpServer((_req, res) => res.end('hello from another program'));
    httpOthers.add(other);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as { port: number };
    const { ctx, out, err } = context();
    expect(await statusCommand({ port }, ctx)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `procinit status: the answer on port ${port} (HTTP 200) is not a procinit health body\n`,
    ]);
  });
});

describe('procinit healthcheck (the binary)', () => {
  afterEach(killAll);

  async function run(port: number): Promise<{ code: number; stderr: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'procinit-hc-'));
    const child = startProcinit(['healthcheck', '--port', String(port)], { cwd });
    const code = await child.exited;
    return { code, stderr: child.stderr() };
  }

  it('exits 0 for 200', async () => {
    const { port } = await serve(healthyState());
    expect(await run(port)).toEqual({ code: 0, stderr: '' });
  });

  it('exits 1 for 503, saying why', async () => {
    const { port } = await serve(unhealthyState());
    expect(await run(port)).toEqual({
      code: 1,
      stderr: 'procinit healthcheck: unhealthy (HTTP 503): worker.1 backoff\n',
    });
  });

  it('exits 1 when nothing listens', async () => {
    const port = await freePort();
    expect(await run(port)).toEqual({
      code: 1,
      stderr: `procinit healthcheck: is procinit running? nothing listens on 127.0.0.1:${port}\n`,
    });
  });
});
