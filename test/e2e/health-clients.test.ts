import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { type RawClient, rawConnect } from '../integration/health-helpers.js';
import {
  app,
  isAlive,
  type Project,
  proc,
  request,
  startProject,
  stopProjects,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §6: headers within 8 KiB and 5 s, at most 1,000 open connections, "so a slow or
// malformed client cannot hurt it". The integration tests check this on the server object with
// small limits; here the real binary, with its real limits, is attacked, and after each attack
// a normal GET /health must still be answered quickly, and web.1 still supervised.

let project: Project;
let webPid: number;

beforeAll(async () => {
  project = await startProject(`web: ${app('web')}\n`, '');
  const body = await waitForHealth(project.port, (b) => b.status === 'healthy', 'healthy');
  webPid = proc(body, 'web.1').pid!;
});
afterAll(stopProjects);

/** "Quickly": far below every limit of the server (5 s), yet generous for a loaded CI machine. */
const QUICK_MS = 1_000;

/** A normal client still gets its answer at once, and procinit still supervises web.1. */
async function expectServed(): Promise<void> {
  const startedMs = Date.now();
  const answer = await request(project.port, '/health', 'GET', QUICK_MS);
  expect(answer.status).toBe(200);
  expect(Date.now() - startedMs).toBeLessThan(QUICK_MS);
  const body = JSON.parse(answer.body);
  expect(proc(body, 'web.1')).toMatchObject({ state: 'running', pid: webPid, restarts: 0 });
  expect(isAlive(webPid)).toBe(true);
}

const waitClosed = (client: RawClient, timeoutMs: number, what: string) =>
  waitFor(() => client.isClosed(), { timeoutMs, what, intervalMs: 20 });

describe('slow and malformed clients against the running binary', () => {
  it('slowloris: headers dripped byte by byte are cut off after the 5 s header limit with 408', async () => {
    const slow = await rawConnect(project.port);
    const connectedMs = Date.now();
    slow.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => {
      if (!slow.isClosed()) slow.socket.write('a');
    }, 50);
    try {
      // Served while the slow client holds its connection.
      await expectServed();
      await expectServed();
      // 5 s limit, checked every second: cut off between 5 and 6 s (plus slack for a busy machine).
      await waitClosed(slow, 9_000, 'the server to cut off the slow client');
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - connectedMs).toBeGreaterThanOrEqual(5_000 - 50);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    await expectServed();
  });

  it('garbage bytes get 400 and the connection closed', async () => {
    const garbage = await rawConnect(project.port);
    // Never a valid request line: the first byte is a control character.
    garbage.socket.write(Buffer.concat([Buffer.from([0x01, 0xff, 0x00]), randomBytes(4096)]));
    garbage.socket.write('\r\n\r\n');
    await waitClosed(garbage, 5_000, 'the server to close the garbage connection');
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    await expectServed();
  });

  it('headers over 8 KiB get 431; the same request under the limit is answered', async () => {
    const big = await rawConnect(project.port);
    big.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`);
    await waitClosed(big, 5_000, 'the server to close the oversized request');
    expect(big.received()).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    await expectServed();

    // The control: 6 KiB of headers is within the limit, and gets its answer on the same path.
    const fits = await rawConnect(project.port);
    fits.socket.write(
      `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(6 * 1024)}\r\n\r\n`,
    );
    await waitClosed(fits, 5_000, 'the answer to the 6 KiB request');
    expect(fits.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('many idle connections: served alongside 500, refused beyond 1,000, and the idle ones are shed', async () => {
    const idle: RawClient[] = [];
    // In parallel, so all are open well within the 5 s after which the server sheds idle ones.
    const open = async (count: number) => {
      idle.push(...(await Promise.all(Array.from({ length: count }, () => rawConnect(project.port)))));
    };
    try {
      await open(500);
      await expectServed();

      await open(500);
      // 1,000 held: the next connection is refused (the accept queue is FIFO, so it is the one
      // beyond the limit), and none of the 1,000 was dropped in its favour.
      await expect(request(project.port, '/health', 'GET', QUICK_MS)).rejects.toThrow(
        /socket hang up|ECONNRESET/,
      );
      expect(idle.filter((c) => c.isClosed())).toHaveLength(0);

      // An idle connection that sends no request is a slow client too: shed after the header limit.
      await waitFor(() => idle.every((c) => c.isClosed()), {
        timeoutMs: 9_000,
        what: 'the server to close every idle connection',
        intervalMs: 50,
      });
      await expectServed();
    } finally {
      for (const client of idle) client.socket.destroy();
    }
  });
});
