import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptExec, attemptHttp, attemptTcp, createLogMatcher } from '../../src/runtime/probe-checks.js';
import { waitFor } from '../helpers/wait-for.js';
import { isDead } from './fixture-tree.js';

const HANG = fileURLToPath(new URL('../fixtures/probes/hang-with-child.sh', import.meta.url));

const servers: (Server | TcpServer)[] = [];
const pids: number[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** An http server on 127.0.0.1 answering with `handle`; resolves with its port. */
async function serve(handle: (res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => handle(res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'procinit-probe-'));
}

describe('attemptHttp', () => {
  it.each([
    [200, true],
    [204, true],
    [302, true],
    [399, true],
    [404, false],
    [500, false],
    [503, false],
  ])('HTTP %i passes: %s', async (status, ok) => {
    const { port } = await serve((res) => {
      res.writeHead(status, { location: '/elsewhere' });
      res.end();
    });
    const result = await attemptHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 2000 });
    expect(result).toEqual({ ok, detail: `HTTP ${status}` });
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    expect(await attemptHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).toEqual({
      ok: false,
      detail: 'ECONNREFUSED',
    });
  });

  it('times out on a server that never answers, and closes its connection', async () => {
    const { server, port } = await serve(() => {});
    const result = await attemptHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 100 });
    expect(result).toEqual({ ok: false, detail: 'timed out after 100 ms' });
    await waitFor(
      () => new Promise<boolean>((resolve) => server.getConnections((_error, count) => resolve(count === 0))),
      { timeoutMs: 2000, what: 'the timed-out probe to close its connection' },
    );
  });

  it('does not keep the connection alive after an answer', async () => {
    const { server, port } = await serve((res) => res.end('ok'));
    expect((await attemptHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).ok).toBe(true);
    await waitFor(
      () => new Promise<boolean>((resolve) => server.getConnections((_error, count) => resolve(count === 0))),
      { timeoutMs: 2000, what: 'the probe to close its connection' },
    );
  });

  it('never shows the URL, which may carry a password', async () => {
    const port = await closedPort();
    const result = await attemptHttp(`http://user:hunter2@127.0.0.1:${port}/`, { timeoutMs: 2000 });
    expect(result.detail).not.toContain('hunter2');
  });
});

describe('attemptTcp', () => {
  it('passes when a listener accepts the connection', async () => {
    const server = createTcpServer((socket) => socket.destroy());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    expect(await attemptTcp('127.0.0.1', port, { timeoutMs: 2000 })).toEqual({
      ok: true,
      detail: 'connected',
    });
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    expect(await attemptTcp('127.0.0.1', port, { timeoutMs: 2000 })).toEqual({
      ok: false,
      detail: 'ECONNREFUSED',
    });
  });

  it('is stopped by its abort signal', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await attemptTcp('127.0.0.1', 9, { timeoutMs: 2000, signal: controller.signal })).toEqual({
      ok: false,
      detail: 'stopped',
    });
  });
});

describe('attemptExec', () => {
  it('passes on exit 0 and fails with the exit code, in the process cwd', async () => {
    const cwd = tempDir();
    const options = { timeoutMs: 5000, env: process.env, cwd };
    expect(await attemptExec('test -f ready', options)).toEqual({ ok: false, detail: 'exit 1' });
    writeFileSync(join(cwd, 'ready'), '');
    expect(await attemptExec('test -f ready', options)).toEqual({ ok: true, detail: 'exit 0' });
    expect(await attemptExec('exit 7', options)).toEqual({ ok: false, detail: 'exit 7' });
  });

  it("runs with the environment it is given (procinit's plus the process's)", async () => {
    const env = { ...process.env, PROBE_TOKEN: 'yes' };
    const result = await attemptExec('test "$PROBE_TOKEN" = yes && test -n "$PATH"', {
      timeoutMs: 5000,
      env,
      cwd: tempDir(),
    });
    expect(result).toEqual({ ok: true, detail: 'exit 0' });
  });

  it('reports a cwd that does not exist', async () => {
    const result = await attemptExec('true', { timeoutMs: 5000, env: process.env, cwd: '/nonexistent/dir' });
    expect(result).toEqual({ ok: false, detail: 'could not run /bin/sh in /nonexistent/dir: ENOENT' });
  });

  it('kills the whole group on timeout, including what the command started', async () => {
    const pidFile = join(tempDir(), 'pids');
    const attempt = attemptExec(`${HANG} ${pidFile}`, { timeoutMs: 1000, env: process.env, cwd: tempDir() });
    await waitFor(() => existsSync(pidFile), { timeoutMs: 5000, what: 'the probe to write its pids' });
    const [shell, child] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
    pids.push(shell, child);
    expect(isDead(shell) || isDead(child)).toBe(false);
    expect(await attempt).toEqual({ ok: false, detail: 'timed out after 1000 ms' });
    for (const pid of [shell, child]) {
      await waitFor(() => isDead(pid), { timeoutMs: 5000, what: `probe process ${pid} to be killed` });
    }
  });

  it('is killed with its group when aborted', async () => {
    const pidFile = join(tempDir(), 'pids');
    const controller = new AbortController();
    const attempt = attemptExec(`${HANG} ${pidFile}`, {
      timeoutMs: 60_000,
      env: process.env,
      cwd: tempDir(),
      signal: controller.signal,
    });
    await waitFor(() => existsSync(pidFile), { timeoutMs: 5000, what: 'the probe to write its pids' });
    const [shell, child] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
    pids.push(shell, child);
    controller.abort();
    expect(await attempt).toEqual({ ok: false, detail: 'stopped' });
    for (const pid of [shell, child]) {
      await waitFor(() => isDead(pid), { timeoutMs: 5000, what: `probe process ${pid} to be killed` });
    }
  });
});

describe('createLogMatcher', () => {
  it.each([
    ['listening on port \\d+', 'server listening on port 8000', true],
    ['listening on port \\d+', 'server listening on port', false],
    ['^ready$', 'ready', true],
    ['^ready$', 'not ready', false],
  ])('%s against %j: %s', (pattern, line, expected) => {
    expect(createLogMatcher(pattern)(line)).toBe(expected);
  });

  it('gives the same answer every time (no lastIndex state)', () => {
    const matches = createLogMatcher('ready');
    expect([matches('ready'), matches('ready'), matches('ready')]).toEqual([true, true, true]);
  });
});
