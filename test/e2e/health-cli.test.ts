import { afterEach, describe, expect, it } from 'vitest';
import {
  app,
  exitCodeWithin,
  freePort,
  health,
  proc,
  runCli,
  scratchDir,
  startProject,
  stopProjects,
  waitForEvent,
  waitForHealth,
} from './health-e2e-helpers.js';

// SPEC §3: `procinit healthcheck` exits 0 when /health says 200, else 1 (never 2), finding the
// port as `run` does; `procinit status` prints a table of the processes, or the body with --json.
// Both run as separate processes against a procinit whose health port is set in procinit.yaml,
// on 0.0.0.0 (the commands then ask 127.0.0.1).

afterEach(stopProjects);

const TABLE_HEADER = /^ID +STATE +READY +PID +RESTARTS +UPTIME +LAST EXIT$/;

describe('procinit healthcheck and procinit status against the running binary', () => {
  it('follow procinit from starting to healthy, unhealthy and gone', async () => {
    const port = await freePort();
    const project = await startProject(
      `web: ${app('web')}\nworker: ${app('worker')}\n`,
      [
        'processes:',
        '  web:',
        '    readiness: { exec: "test -e web.ready", interval: 50ms }',
        '  worker:',
        '    backoff: { initial: 60s, max: 60s }',
        `health: { port: ${port}, host: 0.0.0.0 }`,
        '',
      ].join('\n'),
      { port, healthFlags: false },
    );
    const { run, dir } = project;
    const elsewhere = scratchDir();
    const healthcheck = (args: string[] = [], env: NodeJS.ProcessEnv = {}, cwd = dir) =>
      runCli(['healthcheck', ...args], { cwd, env });
    const status = (...args: string[]) => runCli(['status', ...args], { cwd: dir });

    // starting: 1, saying which process is not ready.
    await waitForEvent(run, 'probe.attempt', 'web.1', { result: 'fail' });
    expect(await healthcheck()).toEqual({
      code: 1,
      stdout: '',
      stderr: 'procinit healthcheck: starting (HTTP 503): web.1 running, not ready\n',
    });

    // healthy: 0, silent, wherever the port comes from.
    project.write('web.ready');
    let body = await waitForHealth(port, (b) => b.status === 'healthy', 'healthy');
    const ok = { code: 0, stdout: '', stderr: '' };
    expect(await healthcheck()).toEqual(ok);
    expect(await healthcheck(['--port', String(port)], {}, elsewhere)).toEqual(ok);
    expect(await healthcheck([], { PROCINIT_HEALTH_PORT: String(port) }, elsewhere)).toEqual(ok);
    expect(await healthcheck(['--host', '127.0.0.1', '--timeout', '2s'], {}, dir)).toEqual(ok);

    let table = await status();
    expect(table.code).toBe(0);
    let lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^procinit \d+\.\d+\.\d+: healthy, up \d+s$/);
    expect(lines[1]).toMatch(TABLE_HEADER);
    expect(lines[2]).toMatch(new RegExp(`^web\\.1 +running +yes +${proc(body, 'web.1').pid} +0 +\\d+s +-$`));
    expect(lines[3]).toMatch(
      new RegExp(`^worker\\.1 +running +yes +${proc(body, 'worker.1').pid} +0 +\\d+s +-$`),
    );

    const json = await status('--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    body = await health(port);
    expect(parsed.status).toBe('healthy');
    expect(parsed.processes).toEqual(body.processes);
    expect(Object.keys(parsed)).toEqual(['status', 'uptime_s', 'version', 'processes']);

    // unhealthy: 1, naming the process behind it; status still answers (0) and shows why.
    project.write('worker.crash');
    await waitForHealth(port, (b) => proc(b, 'worker.1').state === 'backoff', 'worker.1 in backoff');
    expect(await healthcheck()).toEqual({
      code: 1,
      stdout: '',
      stderr: 'procinit healthcheck: unhealthy (HTTP 503): worker.1 backoff\n',
    });
    table = await status();
    expect(table.code).toBe(0);
    lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/: unhealthy, up \d+s$/);
    expect(lines[3]).toMatch(/^worker\.1 +backoff +no +- +0 +- +exit 1, \d+s ago$/);
    expect(JSON.parse((await status('--json')).stdout).status).toBe('unhealthy');

    // gone: nothing listens any more.
    run.child.kill('SIGTERM');
    expect(await exitCodeWithin(run, 10_000)).toBe(0);
    const where = `127.0.0.1:${port}`;
    expect(await healthcheck()).toEqual({
      code: 1,
      stdout: '',
      stderr: `procinit healthcheck: is procinit running? nothing listens on ${where}\n`,
    });
    expect(await status()).toEqual({
      code: 1,
      stdout: '',
      stderr: `procinit status: is procinit running? nothing listens on ${where}\n`,
    });
  });
});
