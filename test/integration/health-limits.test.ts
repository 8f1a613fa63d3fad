/**
 * A slow, malformed or flooding client must not stop the health server (SPEC §6). The limits
 * are injected small (hundreds of ms, a few connections) so the tests are quick; the defaults
 * are checked separately.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_LIMITS } from '../../src/observe/health-http.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  closeServers,
  fetchPath,
  type RawClient,
  rawConnect,
  serve,
  twoProcesses,
} from './health-helpers.js';

afterEach(closeServers);

const SHORT = { headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckIntervalMs: 25 };

function healthyState() {
  const h = twoProcesses();
  h.ready('web.1', true, h.nowMs + 1);
  return h.state;
}

describe('health server limits', () => {
  it('has the limits of SPEC §6 by default', () => {
    expect(DEFAULT_HEALTH_LIMITS).toEqual({
      maxHeaderBytes: 8192,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 10_000,
      maxConnections: 1000,
      keepAliveTimeoutMs: 5000,
      timeoutCheckIntervalMs: 1000,
    });
  });

  it('drops a client that sends its headers too slowly, and keeps answering others', async () => {
    const { port, logs } = await serve(healthyState(), { limits: SHORT });
    const slow = await rawConnect(port);
    const startedMs = Date.now();
    slow.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    // One byte every 20 ms: headers that would take far longer than the limit to complete.
    const drip = setInterval(() => {
      if (!slow.isClosed()) slow.socket.write('a');
    }, 20);
    try {
      // Meanwhile, a normal client is served at once.
      expect((await fetchPath(port, '/health')).status).toBe(200);
      await waitFor(() => slow.isClosed(), { timeoutMs: 3000, what: 'the slow client to be disconnected' });
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(SHORT.headersTimeoutMs - 50);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(logs.some((record) => record.fields.code === 'ERR_HTTP_REQUEST_TIMEOUT')).toBe(true);
    expect((await fetchPath(port, '/health')).status).toBe(200);
  });

  it('drops a client that connects and says nothing', async () => {
    const { port } = await serve(healthyState(), { limits: SHORT });
    const silent = await rawConnect(port);
    await waitFor(() => silent.isClosed(), { timeoutMs: 3000, what: 'the silent client to be disconnected' });
    expect((await fetchPath(port, '/health')).status).toBe(200);
  });

  it('drops a request whose body never ends', async () => {
    const { port } = await serve(healthyState(), { limits: SHORT });
    const client = await rawConnect(port);
    client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc');
    await waitFor(() => client.isClosed(), { timeoutMs: 3000, what: 'the endless request to be cut' });
    expect((await fetchPath(port, '/health')).status).toBe(200);
  });

  it.each([
    ['garbage bytes', '\x00\x01\x02 not http at all\r\n\r\n'],
    ['a bad request line', 'GET\r\n\r\n'],
    ['a header without a colon', 'GET /health HTTP/1.1\r\nHost x\r\n\r\n'],
    ['a bad content length', 'GET /health HTTP/1.1\r\nContent-Length: -1\r\n\r\n'],
  ])('answers 400 to %s and keeps serving', async (_what, bytes) => {
    const { port } = await serve(healthyState());
    const client = await rawConnect(port);
    client.socket.write(bytes, 'latin1');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect((await fetchPath(port, '/health')).status).toBe(200);
  });

  it('answers 431 to headers over 8 KiB, and serves headers within it', async () => {
    const { port } = await serve(healthyState());
    const big = await rawConnect(port);
    big.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9 * 1024)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const fits = await rawConnect(port);
    fits.socket.write(
      `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(7 * 1024)}\r\n\r\n`,
    );
    await fits.closed;
    expect(fits.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('serves several requests on one keep-alive connection', async () => {
    const { port } = await serve(healthyState());
    const client = await rawConnect(port);
    client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\nHEAD /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => client.received().match(/HTTP\/1\.1 200 OK/g)?.length === 2, {
      timeoutMs: 3000,
      what: 'two answers on one connection',
    });
    expect(client.isClosed()).toBe(false);
    client.socket.destroy();
  });

  it('caps open connections, and serves again once one closes', async () => {
    const { port, logs } = await serve(healthyState(), { limits: { maxConnections: 3 } });
    // Each held connection has been served once, so the server has surely counted it.
    const held: RawClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await rawConnect(port);
      client.socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => client.received().includes('\r\n\r\n'), { timeoutMs: 3000, what: `answer ${i}` });
      held.push(client);
    }
    await expect(fetchPath(port, '/health')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(logs.some((record) => record.fields.event === 'health.connection-dropped')).toBe(true);
    held[0]!.socket.destroy();
    const answer = await waitFor(() => fetchPath(port, '/health'), {
      timeoutMs: 3000,
      what: 'an answer once a connection was freed',
    });
    expect(answer.status).toBe(200);
    for (const client of held) client.socket.destroy();
  });
});
