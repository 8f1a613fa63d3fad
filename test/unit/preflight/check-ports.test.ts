import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPorts } from '../../../src/preflight/check-ports.js';
import { findPortHolder, listeningInodes } from '../../../src/preflight/port-holder.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listens on 0.0.0.0 on a port the kernel picks; resolves with the port. */
function listen(): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) =>
    server.listen({ port: 0, host: '0.0.0.0' }, () => resolve((server.address() as { port: number }).port)),
  );
}

describe('checkPorts (fake binds)', () => {
  it('reports each port: free, in use by a named process, or not bindable', async () => {
    const results: Record<number, string> = { 8000: 'free', 8001: 'EADDRINUSE', 80: 'EACCES' };
    const lines = await checkPorts([8000, 8001, 80], {
      now: () => 0,
      bind: async (port) => results[port] ?? 'free',
      holderOf: (port) => (port === 8001 ? { pid: 42, name: 'gunicorn' } : undefined),
    });
    expect(lines.map((line) => [line.subject, line.severity, line.detail])).toEqual([
      ['8000', 'ok', 'free'],
      ['8001', 'fail', 'in use by pid 42 (gunicorn)'],
      ['80', 'fail', 'cannot bind: permission denied (a port below 1024 needs root)'],
    ]);
    expect(lines[1]?.fix).toContain('stop what listens on 8001');
  });
});

describe('checkPorts (real sockets, no processes)', () => {
  it('fails a port this test listens on, naming this very process as the holder', async () => {
    const port = await listen();
    const [line] = await checkPorts([port], { now: () => 0 });
    expect(line).toMatchObject({
      severity: 'fail',
      detail: `in use by pid ${process.pid} (${findPortHolder(port)?.name})`,
    });
    expect(findPortHolder(port)?.pid).toBe(process.pid);
  });

  it('passes a port once nothing listens on it', async () => {
    const port = await listen();
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const [line] = await checkPorts([port], { now: () => 0 });
    expect(line).toMatchObject({ severity: 'ok', detail: 'free' });
  });
});

describe('listeningInodes', () => {
  it('picks LISTEN sockets (state 0A) on the port from /proc/net/tcp text', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0',
      '   1: 0100007F:1F40 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0',
      '   2: 00000000:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0',
    ].join('\n');
    expect(listeningInodes(text, 8000)).toEqual(['111']);
  });
});
