import { afterEach, describe, expect, it } from 'vitest';
import type { RunningProcess } from '../helpers/procinit.js';
import {
  app,
  eventsOf,
  freePort,
  isAlive,
  type LogRecord,
  proc,
  request,
  startProject,
  stopProjects,
  waitForEvent,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §2.2: `failure_threshold` consecutive failed liveness probes restart the process,
// whatever its restart policy. Seen in procinit's log, in /health (restarts, new pid, last exit)
// and by the app itself (its own start records).

afterEach(stopProjects);

// initial_delay gives Node time to boot: without it, a slow boot alone would fail the probe twice.
const LIVENESS = 'initial_delay: 1s, interval: 100ms, timeout: 300ms, failure_threshold: 2';

/**
 * The details of the liveness attempts of web.1 that failed in a row, after the last pass and
 * up to `failed` (the probe.liveness-failed record). Fails when no attempt ever passed.
 */
function streakBefore(run: RunningProcess, failed: LogRecord): unknown[] {
  const attempts = eventsOf(run, 'probe.attempt', 'web.1').filter(
    (r) => r.probe === 'liveness' && r.time <= failed.time,
  );
  const lastPass = attempts.findLastIndex((r) => r.result === 'pass');
  expect(lastPass, 'a liveness attempt passed before the failures').toBeGreaterThanOrEqual(0);
  return attempts.slice(lastPass + 1).map((r) => (r.result === 'fail' ? r.detail : 'pass'));
}

describe('liveness probes restart a process that stopped answering', () => {
  it('http: a hung server (event loop frozen, deaf to SIGTERM) is killed after stop_timeout and restarted', async () => {
    const appPort = await freePort();
    const project = await startProject(
      `web: ${app('web', '--http', appPort)}\n`,
      [
        'processes:',
        '  web:',
        `    liveness: { http: "http://127.0.0.1:${appPort}/alive", ${LIVENESS} }`,
        '    stop_timeout: 500ms',
        '    backoff: { initial: 100ms }',
        '',
      ].join('\n'),
    );
    const { run, port } = project;
    const first = await project.started('web');
    let body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');
    expect(proc(body, 'web.1')).toMatchObject({ pid: first.pid, restarts: 0, last_exit: null });

    await waitForEvent(run, 'probe.attempt', 'web.1', { probe: 'liveness', result: 'pass' });
    project.write('web.hang');
    const second = await project.started('web', 2);
    body = await waitForHealth(
      port,
      (b) => proc(b, 'web.1').pid === second.pid && proc(b, 'web.1').state === 'running',
      'web.1 running again under its new pid',
    );
    const web = proc(body, 'web.1');
    expect(second.pid).not.toBe(first.pid);
    expect(web.restarts).toBe(1);
    // Its SIGTERM handler never ran (the loop was frozen): only SIGKILL ended it.
    expect(web.last_exit).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(isAlive(first.pid)).toBe(false);
    expect(project.starts('web')).toHaveLength(2);

    // The log tells the story in order: two failures, SIGTERM, SIGKILL at stop_timeout, restart.
    const failed = eventsOf(run, 'probe.liveness-failed', 'web.1');
    expect(failed).toHaveLength(1);
    // Exactly failure_threshold failures in a row after the last pass, then the restart.
    expect(streakBefore(run, failed[0]!)).toEqual(['timed out after 300 ms', 'timed out after 300 ms']);
    const sigterm = eventsOf(run, 'signal.sent', 'web.1').find((r) => r.pid === first.pid);
    expect(sigterm?.signal).toBe('SIGTERM');
    const [escalated] = eventsOf(run, 'shutdown.escalated', 'web.1');
    expect(escalated).toBeDefined();
    expect(escalated!.time - sigterm!.time).toBeGreaterThanOrEqual(500 - 5);
    const [scheduled] = eventsOf(run, 'restart.scheduled', 'web.1');
    expect(scheduled).toMatchObject({ attempt: 1, delayMs: 100 });
    const spawned = eventsOf(run, 'process.spawned', 'web.1').map((r) => r.pid);
    expect(spawned).toEqual([first.pid, second.pid]);
    expect(failed[0]!.time).toBeLessThanOrEqual(escalated!.time);
    expect(escalated!.time).toBeLessThanOrEqual(scheduled!.time);

    // /metrics agrees: one restart, and a death by SIGKILL is exit code 128+9.
    const metrics = (await request(port, '/metrics')).body;
    expect(metrics).toContain('procinit_process_restarts_total{process="web.1",name="web"} 1\n');
    expect(metrics).toContain('procinit_process_last_exit_code{process="web.1",name="web"} 137\n');
    expect(metrics).toContain('procinit_process_up{process="web.1",name="web"} 1\n');

    // The new run answers its probes: healthy again, and procinit keeps running.
    body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy again');
    expect(proc(body, 'web.1')).toMatchObject({ pid: second.pid, restarts: 1 });
    expect(run.child.exitCode).toBeNull();
  });

  it('tcp: a process that stops accepting is restarted even with restart: never', async () => {
    const appPort = await freePort();
    const project = await startProject(
      `web: ${app('web', '--tcp', appPort)}\n`,
      [
        'processes:',
        '  web:',
        `    liveness: { tcp: "127.0.0.1:${appPort}", ${LIVENESS} }`,
        '    restart: never',
        '    backoff: { initial: 100ms }',
        '',
      ].join('\n'),
    );
    const { run, port } = project;
    const first = await project.started('web');
    await waitForEvent(run, 'probe.attempt', 'web.1', { probe: 'liveness', result: 'pass' });

    project.write('web.refuse');
    const second = await project.started('web', 2);
    const body = await waitForHealth(
      port,
      (b) => proc(b, 'web.1').pid === second.pid && proc(b, 'web.1').state === 'running',
      'web.1 running again under its new pid',
    );
    // It stopped when asked (SIGTERM, exit 0): a clean exit that the policy alone would not restart.
    expect(proc(body, 'web.1')).toMatchObject({ restarts: 1, last_exit: { code: 0, signal: null } });
    expect(second.pid).not.toBe(first.pid);
    expect(project.stamp('web.sigterm')).toBeGreaterThan(first.ms);
    expect(eventsOf(run, 'probe.liveness-failed', 'web.1')).toHaveLength(1);
    const [failed] = eventsOf(run, 'probe.liveness-failed', 'web.1');
    expect(streakBefore(run, failed!)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(eventsOf(run, 'shutdown.escalated', 'web.1')).toEqual([]);
  });
});
