import { describe, expect, it } from 'vitest';
import type { WaitForSpec } from '../../../src/config/resolved-config.js';
import {
  describeTarget,
  retryDelayMs,
  type WaitForDeps,
  waitForTarget,
} from '../../../src/preflight/check-wait-for.js';
import type { AttemptResult } from '../../../src/preflight/wait-attempt.js';

/** A clock that only moves when the code sleeps or an attempt takes time: zero wall time. */
function fakeDeps(results: (attempt: number) => AttemptResult, attemptMs = 10) {
  let nowMs = 1_000_000;
  const sleeps: number[] = [];
  const attempts: number[] = [];
  const logs: { level: string; fields: object }[] = [];
  const log = (level: string) => (fields: object) => logs.push({ level, fields });
  const deps: WaitForDeps = {
    attempt: async (_target, timeoutMs) => {
      attempts.push(timeoutMs);
      nowMs += attemptMs;
      return results(attempts.length);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    now: () => nowMs,
    logger: {
      trace: log('trace'),
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
    },
    secretPatterns: [],
  };
  return { deps, sleeps, attempts, logs };
}

const tcp: WaitForSpec = { target: { kind: 'tcp', host: 'db', port: 5432 }, timeoutMs: 5_000 };

describe('waitForTarget', () => {
  it('passes at once when the first attempt connects', async () => {
    const { deps, sleeps } = fakeDeps(() => ({ ok: true, detail: 'connected' }));
    const line = await waitForTarget(tcp, { kind: 'wait' }, deps);
    expect(line).toMatchObject({
      check: 'wait_for',
      subject: 'tcp db:5432',
      severity: 'ok',
      detail: 'reachable (connected)',
    });
    expect(sleeps).toEqual([]);
  });

  it('retries 250 ms, 500 ms, then every second, and passes once the target answers', async () => {
    const { deps, sleeps, logs } = fakeDeps((n) =>
      n < 5 ? { ok: false, detail: 'ECONNREFUSED' } : { ok: true, detail: 'connected' },
    );
    const line = await waitForTarget(tcp, { kind: 'wait' }, deps);
    expect(sleeps).toEqual([250, 500, 1000, 1000]);
    expect(line).toMatchObject({ severity: 'ok', detail: 'reachable after 2.8s, 5 attempts (connected)' });
    expect(line.durationMs).toBe(2_800);
    // One info line when waiting starts (so a long wait is not silent), each attempt at trace.
    expect(logs.filter((log) => log.level === 'info')).toHaveLength(1);
    expect(logs.filter((log) => log.level === 'trace')).toHaveLength(5);
  });

  it('fails after its timeout, with the last error and a fix', async () => {
    const { deps, sleeps } = fakeDeps(() => ({ ok: false, detail: 'ECONNREFUSED' }));
    const line = await waitForTarget(tcp, { kind: 'wait' }, deps);
    expect(line).toMatchObject({
      severity: 'fail',
      detail: expect.stringMatching(/^not reachable after 5s, \d+ attempts \(last: ECONNREFUSED\)$/),
      fix: expect.stringContaining('db:5432'),
    });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
    expect(line.durationMs).toBeGreaterThanOrEqual(5_000);
  });

  it('once: a single attempt, a warning (not a failure) that says why nothing was waited for', async () => {
    const { deps, sleeps, attempts } = fakeDeps(() => ({ ok: false, detail: 'ENOTFOUND' }));
    const line = await waitForTarget(tcp, { kind: 'once', why: 'procinit check waits for nothing' }, deps);
    expect(attempts).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(line).toMatchObject({
      severity: 'warn',
      ok: true,
      detail: 'not reachable now (ENOTFOUND); not waited for: procinit check waits for nothing',
    });
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const { deps } = fakeDeps((n) => {
      if (n === 2) controller.abort();
      return { ok: false, detail: 'ECONNREFUSED' };
    });
    const line = await waitForTarget(tcp, { kind: 'wait' }, { ...deps, signal: controller.signal });
    expect(line).toMatchObject({ severity: 'fail', detail: 'interrupted after 2 attempts' });
  });

  it('never puts a URL password or a secret query value in the line or the logs', async () => {
    const spec: WaitForSpec = {
      target: {
        kind: 'http',
        url: 'http://elastic:hunter2@search:9200/_cluster/health?api_key=s3cr3t&level=x',
      },
      timeoutMs: 1_000,
    };
    const { deps, logs } = fakeDeps(() => ({ ok: false, detail: 'HTTP 503' }));
    const line = await waitForTarget(spec, { kind: 'wait' }, deps);
    expect(line.subject).toBe('http http://elastic:****@search:9200/_cluster/health?api_key=****&level=x');
    expect(JSON.stringify([line, logs])).not.toMatch(/hunter2|s3cr3t/);
  });
});

describe('retryDelayMs, describeTarget', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1000],
    [10, 1000],
  ])('retry %i waits %i ms', (attempt, ms) => {
    expect(retryDelayMs(attempt)).toBe(ms);
  });

  it('masks configured secret names in queries too', () => {
    expect(describeTarget({ kind: 'http', url: 'https://h/x?sig=abc&b=1' }, ['SIG'])).toBe(
      'http https://h/x?sig=****&b=1',
    );
    expect(describeTarget({ kind: 'tcp', host: 'db', port: 5432 }, [])).toBe('tcp db:5432');
  });
});
