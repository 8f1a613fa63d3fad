import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, startProcinit } from '../helpers/procinit.js';
import {
  childLines,
  closeListeners,
  finished,
  freePort,
  type Listener,
  listenHttp,
  listenTcp,
  project,
  removeTempDirs,
  reportLine,
} from './preflight-helpers.js';

// SPEC §7: wait_for retries until its timeout. Here the target is down when procinit starts;
// the listener is started only once procinit has logged that it is waiting, and procinit must
// then see it, pass preflight and start the process.

afterEach(async () => {
  killAll();
  await closeListeners();
});
afterAll(removeTempDirs);

interface Target {
  kind: 'tcp' | 'http';
  /** How procinit.yaml names the target, and how the report does. */
  spec: (port: number) => Record<string, string>;
  subject: (port: number) => string;
  listen: (port: number) => Promise<Listener>;
  reached: string;
}

const TARGETS: Target[] = [
  {
    kind: 'tcp',
    spec: (port) => ({ tcp: `127.0.0.1:${port}` }),
    subject: (port) => `tcp 127.0.0.1:${port}`,
    listen: (port) => listenTcp(port),
    reached: 'connected',
  },
  {
    kind: 'http',
    spec: (port) => ({ http: `http://127.0.0.1:${port}/health` }),
    subject: (port) => `http http://127.0.0.1:${port}/health`,
    listen: (port) => listenHttp(port, (_, res) => res.end('ok')),
    reached: 'HTTP 200',
  },
];

describe('wait_for succeeds once a listener appears mid-wait', () => {
  it.each(TARGETS)('$kind', async (target) => {
    const port = await freePort();
    const dir = project('web: echo web started\n', {
      processes: { web: { restart: 'never' } },
      preflight: { wait_for: [{ ...target.spec(port), timeout: '30s' }] },
    });
    const run = startProcinit(['--log-format', 'json'], { cwd: dir });
    let exited = false;
    void run.exited.then(() => {
      exited = true;
    });

    const subject = target.subject(port);
    await run.waitForOutput(`"event":"preflight.waiting","target":${JSON.stringify(subject)}`);
    // Waiting: not given up, and nothing started yet.
    expect(exited).toBe(false);
    expect(run.stdout()).not.toContain('"proc":"web.1"');
    await target.listen(port);

    const result = await finished(run);
    expect(result.code, result.output).toBe(0);
    // reportLine finds the line by its subject: `[ok]   wait_for tcp 127.0.0.1:PORT: reachable after…`.
    const line = reportLine(result, 'wait_for', subject) ?? '';
    const reached = new RegExp(
      `^\\[ok\\] .*: reachable after [\\d.]+m?s, (\\d+) attempts \\(${target.reached}\\)$`,
    );
    expect(line).toMatch(reached);
    expect(Number(reached.exec(line)?.[1])).toBeGreaterThanOrEqual(2);
    expect(childLines(result, 'web.1')).toEqual(['web started']);
    // The process started after preflight passed, not before.
    const order = result.records.map((record) => (record.proc === 'web.1' ? 'web' : record.event));
    expect(order.indexOf('preflight.passed')).toBeLessThan(order.indexOf('web'));
    expect(order.indexOf('preflight.waiting')).toBeLessThan(order.indexOf('preflight.passed'));
  });

  it('control: with no listener, run gives up at the timeout, exits 78 and starts nothing', async () => {
    const port = await freePort();
    const dir = project(`web: touch started\n`, {
      processes: { web: { restart: 'never' } },
      preflight: { wait_for: [{ tcp: `127.0.0.1:${port}`, timeout: '700ms' }] },
    });
    const result = await finished(startProcinit(['--log-format', 'json'], { cwd: dir }));
    expect(result.code, result.output).toBe(78);
    expect(reportLine(result, 'wait_for', `tcp 127.0.0.1:${port}`)).toMatch(
      /^\[FAIL\] .*: not reachable after 700ms, \d+ attempts \(last: ECONNREFUSED\); fix: check that 127\.0\.0\.1:\d+ is up/,
    );
    expect(existsSync(join(dir, 'started'))).toBe(false);
  });
});
