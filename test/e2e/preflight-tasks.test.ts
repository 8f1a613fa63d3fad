import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';
import { childLines, project, removeTempDirs, report, runProcinit } from './preflight-helpers.js';

// SPEC §7: tasks run one after the other, before any process, their output prefixed
// `task:NAME`; the first failing task stops the start: exit 78 (§8), its exit code in the report,
// no later task and no process run.

afterEach(killAll);
afterAll(removeTempDirs);

const JSON_LOG = ['--log-format', 'json'];

/** A project whose tasks append their name to `ran` (they run in it), and whose process appends `web`. */
function tasksProject(tasks: { name: string; run: string; timeout?: string }[]) {
  const dir = project('web: echo web >> ran\n', {
    processes: { web: { restart: 'never' } },
    preflight: { tasks },
  });
  return { dir, ran: () => readIfAny(join(dir, 'ran')) };
}

/** Whether `pid` is a live process (a zombie, or no process, counts as gone). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function readIfAny(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}

describe('tasks', () => {
  it('run in order before any process, each line of output prefixed with its name', async () => {
    const { dir, ran } = tasksProject([
      { name: 'migrate', run: 'echo migrate >> ran; echo "migrating to v42"; echo "a warning" >&2' },
      { name: 'collectstatic', run: 'echo collectstatic >> ran; echo "12 files copied"' },
    ]);
    const result = await runProcinit(JSON_LOG, { cwd: dir });
    expect(result.code, result.output).toBe(0);
    expect(ran()).toEqual(['migrate', 'collectstatic', 'web']);
    expect(childLines(result, 'task:migrate')).toEqual(['migrating to v42', 'a warning']);
    expect(childLines(result, 'task:collectstatic')).toEqual(['12 files copied']);
    const stderrRecord = result.records.find((record) => record.msg === 'a warning');
    expect(stderrRecord?.stream).toBe('stderr');
    expect(result.stderr).toContain('"msg":"a warning"');
  });

  it('the first failing task stops the start: exit 78, its exit code reported, nothing after it runs', async () => {
    const { dir, ran } = tasksProject([
      { name: 'first', run: 'echo first >> ran' },
      { name: 'migrate', run: 'echo migrate >> ran; echo "relation users already exists" >&2; exit 3' },
      { name: 'last', run: 'echo last >> ran' },
    ]);
    const result = await runProcinit(JSON_LOG, { cwd: dir });
    expect(result.code, result.output).toBe(78);
    expect(ran()).toEqual(['first', 'migrate']);
    expect(childLines(result, 'task:migrate')).toEqual(['relation users already exists']);
    expect(report(result)).toEqual([
      expect.stringMatching(/^\[ok\] {3}task first: exit 0 after \d+ms$/),
      expect.stringMatching(
        /^\[FAIL\] task migrate: exit 3 after \d+ms; fix: see its output above \(task:migrate/,
      ),
      '[warn] task last: not run (task migrate failed): `echo last >> ran` (timeout 1h)',
      'preflight failed: 1 of 3 checks failed (task migrate); nothing was started',
    ]);
    const failed = result.records.find((record) => record.event === 'preflight.failed');
    expect(failed).toMatchObject({ task: 'migrate', code: 3 });
    expect(result.records.some((record) => record.proc === 'web.1')).toBe(false);
  });

  it('a task killed by a signal reports 128+N', async () => {
    const { dir, ran } = tasksProject([
      { name: 'crash', run: 'kill -9 $$' },
      { name: 'after', run: 'echo after >> ran' },
    ]);
    const result = await runProcinit(JSON_LOG, { cwd: dir });
    expect(result.code, result.output).toBe(78);
    expect(report(result)[0]).toMatch(/^\[FAIL\] task crash: killed by SIGKILL \(exit 137\) after \d+ms/);
    expect(result.records.find((record) => record.event === 'preflight.failed')).toMatchObject({
      task: 'crash',
      code: 137,
    });
    expect(ran()).toEqual([]);
  });

  it('a task that outlives its timeout is killed, and the start stops', async () => {
    const { dir, ran } = tasksProject([
      { name: 'hang', run: 'echo $$ > hang.pid; exec sleep 60', timeout: '300ms' },
      { name: 'after', run: 'echo after >> ran' },
    ]);
    const startedMs = Date.now();
    const result = await runProcinit(JSON_LOG, { cwd: dir });
    expect(result.code, result.output).toBe(78);
    expect(Date.now() - startedMs).toBeLessThan(30_000);
    expect(report(result)[0]).toMatch(/^\[FAIL\] task hang: timed out after 300ms: killed; fix: /);
    expect(result.records.find((record) => record.event === 'preflight.failed')).toMatchObject({
      task: 'hang',
      code: 137,
    });
    expect(ran()).toEqual([]);
    const pid = Number(readFileSync(join(dir, 'hang.pid'), 'utf8'));
    await waitFor(() => !isAlive(pid), {
      timeoutMs: 5_000,
      what: `the task's sleep (pid ${pid}) to be gone`,
    });
  });
});
