import { describe, expect, it } from 'vitest';
import type { HealthBody } from '../../../src/core/health.js';
import { formatAge, isHealthBody, renderStatusTable } from '../../../src/observe/status-table.js';

const NOW_MS = Date.parse('2026-11-22T12:00:00.000Z');

const BODY: HealthBody = {
  status: 'unhealthy',
  uptime_s: 7384.6,
  version: '0.1.0',
  processes: [
    {
      id: 'web.1',
      name: 'web',
      instance: 1,
      state: 'running',
      ready: true,
      pid: 17,
      restarts: 0,
      started_at: '2026-11-22T09:57:00.000Z',
      last_exit: null,
    },
    {
      id: 'worker.1',
      name: 'worker',
      instance: 1,
      state: 'backoff',
      ready: false,
      pid: null,
      restarts: 12,
      started_at: '2026-11-22T11:59:50.000Z',
      last_exit: { code: 1, signal: null, at: '2026-11-22T11:59:56.500Z' },
    },
    {
      id: 'worker.2',
      name: 'worker',
      instance: 2,
      state: 'running',
      ready: false,
      pid: 1234,
      restarts: 1,
      started_at: '2026-11-22T11:57:55.000Z',
      last_exit: { code: null, signal: 'SIGKILL', at: '2026-11-22T11:57:54.000Z' },
    },
    {
      id: 'scheduler.1',
      name: 'scheduler',
      instance: 1,
      state: 'pending',
      ready: false,
      pid: null,
      restarts: 0,
      started_at: null,
      last_exit: null,
    },
  ],
};

describe('renderStatusTable', () => {
  it('shows one aligned row per process under a summary line', () => {
    expect(renderStatusTable(BODY, NOW_MS)).toMatchInlineSnapshot(`
      "procinit 0.1.0: unhealthy, up 2h3m
      ID           STATE    READY  PID   RESTARTS  UPTIME  LAST EXIT
      web.1        running  yes    17    0         2h3m    -
      worker.1     backoff  no     -     12        -       exit 1, 3s ago
      worker.2     running  no     1234  1         2m5s    killed by SIGKILL, 2m6s ago
      scheduler.1  pending  no     -     0         -       -
      "
    `);
  });

  it('shows only the header when there is no process', () => {
    expect(renderStatusTable({ ...BODY, status: 'stopping', uptime_s: 0.4, processes: [] }, NOW_MS)).toBe(
      'procinit 0.1.0: stopping, up 0s\nID  STATE  READY  PID  RESTARTS  UPTIME  LAST EXIT\n',
    );
  });

  it('shows ? for a time it cannot read, and no negative age when clocks disagree', () => {
    const odd = { ...BODY.processes[0]!, started_at: 'yesterday-ish' };
    const future = { ...BODY.processes[0]!, id: 'web.2', started_at: '2026-11-22T12:00:30.000Z' };
    const lines = renderStatusTable({ ...BODY, processes: [odd, future] }, NOW_MS).split('\n');
    expect(lines[2]).toContain('  ?  ');
    expect(lines[3]).toMatch(/ 0s +-$/);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [42_000, '42s'],
    [60_000, '1m0s'],
    [312_000, '5m12s'],
    [3_600_000, '1h0m'],
    [7_380_000, '2h3m'],
    [86_400_000 * 3 + 4 * 3_600_000 + 59_000, '3d4h'],
    [-5000, '0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('isHealthBody', () => {
  it.each([
    ['a full body', BODY, true],
    ['no processes', { ...BODY, processes: [] }, true],
    ['null', null, false],
    ['a string', 'healthy', false],
    ['a status alone', { status: 'healthy' }, false],
    ['uptime as a string', { ...BODY, uptime_s: '1' }, false],
    ['a null process', { ...BODY, processes: [null] }, false],
    ['a process without id', { ...BODY, processes: [{ name: 'web' }] }, false],
  ])('%s → %s', (_what, value, expected) => {
    expect(isHealthBody(value)).toBe(expected);
  });
});
