import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderPreflightReport } from '../../src/preflight/render-report.js';
import { runPreflight } from '../../src/preflight/run-preflight.js';
import { capture, configFrom } from '../fixtures/preflight/preflight-harness.js';
import { createThrowawayUser, type ThrowawayUser } from '../fixtures/preflight/throwaway-user.js';
import { requireRoot } from '../helpers/capabilities.js';
import { waitFor } from '../helpers/wait-for.js';
import { isDead } from './fixture-tree.js';

const environ = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
/** Pids a test saw, killed afterwards if the code under test left them. */
const seen: number[] = [];
afterEach(() => {
  for (const pid of seen.splice(0)) {
    try {
      if (!isDead(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function tasksConfig(tasks: string, extra = '') {
  return configFrom(`${extra}preflight:\n  tasks:\n${tasks}`);
}

/** Runs preflight in `run` mode with its output and log captured. */
async function runCaptured(config: ReturnType<typeof tasksConfig>) {
  const out = capture();
  const result = await runPreflight(config, { mode: 'run', environ, output: out.output, logger: out.logger });
  return { out, result };
}

describe('preflight tasks (real processes)', () => {
  it('runs tasks in order, each output line prefixed task:NAME | ', async () => {
    const config = tasksConfig(
      '    - { name: first, run: "echo one; echo to-stderr >&2" }\n    - { name: second, run: "printf \'no newline\'" }\n',
    );
    const { out, result } = await runCaptured(config);
    expect(result.ok).toBe(true);
    const text = out.text();
    expect(text).toContain('task:first   | one\n');
    expect(text).toContain('task:first   | to-stderr\n');
    expect(text).toContain('task:second  | no newline\n');
    expect(text.indexOf('task:first   | one')).toBeLessThan(text.indexOf('task:second'));
    expect(result.lines.map((line) => [line.subject, line.severity])).toEqual([
      ['first', 'ok'],
      ['second', 'ok'],
    ]);
  });

  it('the first failing task stops the start: its exit code is reported, later tasks do not run', async () => {
    const config = tasksConfig(
      '    - { name: ok, run: "true" }\n' +
        '    - { name: migrate, run: "echo migrating; exit 3" }\n' +
        '    - { name: after, run: "echo MUST-NOT-RUN" }\n',
    );
    const { out, result } = await runCaptured(config);
    expect(result.ok).toBe(false);
    expect(result.failedTask).toEqual({ name: 'migrate', exitCode: 3 });
    expect(
      result.lines.map((line) => [line.subject, line.severity, line.detail.split(' after ')[0]]),
    ).toEqual([
      ['ok', 'ok', 'exit 0'],
      ['migrate', 'fail', 'exit 3'],
      ['after', 'warn', 'not run (task migrate failed): `echo MUST-NOT-RUN` (timeout 1h)'],
    ]);
    expect(out.text()).not.toContain('task:after');
    expect(renderPreflightReport(result).join('\n')).toContain('[FAIL] task migrate: exit 3 after');
  });

  it('a task killed by a signal reports 128+N', async () => {
    const config = tasksConfig('    - { name: crash, run: "kill -SEGV $$" }\n');
    const { result } = await runCaptured(config);
    expect(result.failedTask).toEqual({ name: 'crash', exitCode: 139 });
    expect(result.lines[0]?.detail).toMatch(/^killed by SIGSEGV \(exit 139\)/);
  });

  it('a task past its timeout is killed with everything it started', async () => {
    const config = tasksConfig(
      '    - { name: hang, run: "sleep 300 & echo PIDS $$ $!; wait", timeout: 500ms }\n',
    );
    const out = capture();
    const preflight = runPreflight(config, { mode: 'run', environ, output: out.output, logger: out.logger });
    const pids = await waitFor(() => /PIDS (\d+) (\d+)/.exec(out.text()), {
      timeoutMs: 10_000,
      what: 'the task to start',
    });
    const [shell, sleeper] = [Number(pids[1]), Number(pids[2])];
    seen.push(shell, sleeper);
    const result = await preflight;
    expect(result.lines[0]).toMatchObject({ severity: 'fail', detail: 'timed out after 500ms: killed' });
    await waitFor(() => isDead(shell) && isDead(sleeper), {
      timeoutMs: 5_000,
      what: 'the task and its child to die',
    });
  });

  it('check mode lists the tasks and runs none', async () => {
    const config = tasksConfig('    - { name: migrate, run: "echo MUST-NOT-RUN" }\n');
    const out = capture();
    const result = await runPreflight(config, {
      mode: 'check',
      environ,
      output: out.output,
      logger: out.logger,
    });
    expect(result.lines[0]).toMatchObject({
      severity: 'ok',
      detail: 'would run: `echo MUST-NOT-RUN` (timeout 1h)',
    });
    expect(out.text()).not.toContain('task:migrate');
  });

  it('aborting (procinit got SIGTERM) stops a running task', async () => {
    const config = tasksConfig(
      '    - { name: slow, run: "echo STARTED; exec sleep 300" }\n    - { name: next, run: "true" }\n',
    );
    const out = capture();
    const controller = new AbortController();
    const preflight = runPreflight(config, {
      mode: 'run',
      environ,
      output: out.output,
      logger: out.logger,
      signal: controller.signal,
    });
    await waitFor(() => out.text().includes('STARTED'), { timeoutMs: 10_000, what: 'the task to start' });
    controller.abort();
    const result = await preflight;
    expect(result.interrupted).toBe(true);
    expect(result.lines.map((line) => [line.subject, line.severity])).toEqual([
      ['slow', 'fail'],
      ['next', 'warn'],
    ]);
    expect(result.lines[0]?.detail).toBe('interrupted: procinit is stopping (killed by SIGTERM)');
  });
});

const { skip } = requireRoot();

describe.skipIf(skip)('a task with user: (root)', () => {
  let user: ThrowawayUser;
  beforeAll(() => {
    user = createThrowawayUser();
  });
  afterAll(() => user?.remove());

  it('runs as that user, with its supplementary group, HOME, USER and LOGNAME', async () => {
    const config = tasksConfig(
      `    - { name: whoami, run: 'echo "ids $(id -u) $(id -g) groups $(id -G) env $HOME $USER $LOGNAME"' }\n`,
      `user: ${user.name}\n`,
    );
    const out = capture();
    const result = await runPreflight(config, {
      mode: 'run',
      environ,
      output: out.output,
      logger: out.logger,
      cwd: '/',
    });
    expect(result.ok).toBe(true);
    const line =
      out
        .text()
        .split('\n')
        .find((text) => text.includes('| ids ')) ?? '';
    const [, ids, groups, env] = /ids (.*) groups (.*) env (.*)$/.exec(line) ?? [];
    expect(ids).toBe(`${user.uid} ${user.gid}`);
    expect(groups?.split(' ').map(Number).sort()).toEqual([user.gid, user.extraGid].sort());
    expect(env).toBe(`/home/${user.name} ${user.name} ${user.name}`);
  });
});
