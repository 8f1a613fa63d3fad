import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, killAll, projectDir, type RunningProcess, startProcinit } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';

// SPEC §8: procinit's exit code, with real processes and real signals. Fixtures print READY once
// their handlers are installed; tests wait for it before they signal anything.

const EXIT_WITH = `node ${FIXTURES}/exit-with.mjs`;

/** Resolves with the exit code, or fails with the output so far if procinit has not exited in time. */
async function exitCodeWithin(run: RunningProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`procinit did not exit within ${timeoutMs} ms\n${run.stdout()}${run.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `READY <name> <pid>` (exit-with.mjs) of each process, and returns their pids. */
async function readyPids(run: RunningProcess, ids: readonly string[]): Promise<Record<string, number>> {
  return waitFor(
    () => {
      const pids: Record<string, number> = {};
      for (const id of ids) {
        const match = new RegExp(`^${id.replace('.', '\\.')} +\\| READY ${id} (\\d+)$`, 'm').exec(
          run.stdout(),
        );
        if (!match) return undefined;
        pids[id] = Number(match[1]);
      }
      return pids;
    },
    { timeoutMs: 10_000, what: `READY from ${ids.join(', ')}`, intervalMs: 20 },
  );
}

/** Waits for `READY <pid>` of ignore-sigterm.mjs running as stubborn.1, and returns its pid. */
async function stubbornReady(run: RunningProcess): Promise<number> {
  const pid = await waitFor(() => /^stubborn\.1 +\| READY (\d+)$/m.exec(run.stdout())?.[1], {
    timeoutMs: 10_000,
    what: 'READY from stubborn.1',
    intervalMs: 20,
  });
  return Number(pid);
}

/** Whether `pid` is still a live process (a zombie, or no process at all, counts as gone). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const run = (cwd: string, args: readonly string[] = []) =>
  startProcinit(['--health-port', '0', ...args], { cwd });

afterEach(killAll);

describe('a critical process ending decides the exit code', () => {
  it.each([
    { how: 'exits 5', signal: 'SIGUSR2', code: 5, last: 'exit 5' },
    { how: 'is killed by SIGKILL', signal: 'SIGKILL', code: 137, last: 'killed by SIGKILL' },
  ] as const)(
    'critical api $how → procinit exits $code, the others get SIGTERM and stop',
    async ({ signal, code, last }) => {
      const cwd = projectDir({
        Procfile: `api: ${EXIT_WITH} 5 --on SIGUSR2\nworker: ${EXIT_WITH} 0\nmailer: ${EXIT_WITH} 0\n`,
        'procinit.yaml': 'processes:\n  api: { critical: true, restart: never }\n',
      });
      const procinit = run(cwd);
      const pids = await readyPids(procinit, ['api.1', 'worker.1', 'mailer.1']);
      process.kill(pids['api.1']!, signal);

      expect(await exitCodeWithin(procinit, 10_000)).toBe(code);
      const out = procinit.stdout();
      expect(out).toMatch(/^worker\.1 +\| worker\.1 got SIGTERM$/m);
      expect(out).toMatch(/^mailer\.1 +\| mailer\.1 got SIGTERM$/m);
      // The exit summary: each process, its restarts and its last exit, then the code.
      expect(out).toMatch(new RegExp(`^procinit +\\| api\\.1: exited, 0 restarts, last ${last}\\b`, 'm'));
      expect(out).toMatch(/^procinit +\| worker\.1: exited, 0 restarts, last exit 0\b/m);
      expect(out).toMatch(/^procinit +\| mailer\.1: exited, 0 restarts, last exit 0\b/m);
      expect(out).toMatch(new RegExp(`^procinit +\\| procinit exits with code ${code}\\b`, 'm'));
      // Nothing is left running.
      expect(Object.values(pids).filter(isRunning)).toEqual([]);
    },
  );
});

describe('what started the shutdown decides the code', () => {
  it('critical api exits 5, a child then needs SIGKILL → still 5, not 1', async () => {
    const cwd = projectDir({
      Procfile: `api: ${EXIT_WITH} 5 --on SIGUSR2\nstubborn: node ${FIXTURES}/ignore-sigterm.mjs\n`,
      'procinit.yaml':
        'processes:\n  api: { critical: true, restart: never }\nshutdown: { timeout: 300ms }\n',
    });
    const procinit = run(cwd);
    const { 'api.1': api } = await readyPids(procinit, ['api.1']);
    const stubborn = await stubbornReady(procinit);
    process.kill(api!, 'SIGUSR2');

    expect(await exitCodeWithin(procinit, 10_000)).toBe(5);
    const out = procinit.stdout();
    // The premise: the escalation did happen.
    expect(out).toMatch(/^stubborn\.1 +\| ignored SIGTERM$/m);
    expect(out).toMatch(/^procinit +\| stubborn\.1: exited, 0 restarts, last killed by SIGKILL\b/m);
    expect(out).toMatch(/^procinit +\| procinit exits with code 5\b/m);
    expect(isRunning(stubborn)).toBe(false);
  });
});

describe('processes that all end on their own (restart: never)', () => {
  it.each([
    { name: 'all exit 0', plan: [0, 0, 0], code: 0 },
    { name: 'one exits 3, the others 0', plan: [0, 3, 0], code: 3 },
    // Neither the largest, the smallest nor the last code: the first non-zero one.
    { name: 'several non-zero: 4, then 9, then 2', plan: [4, 9, 2], code: 4 },
  ])('$name → exit $code', async ({ plan, code }) => {
    // p1 exits after 100 ms, p2 after 500 ms, p3 after 900 ms: far enough apart to be in order.
    const names = plan.map((_, i) => `p${i + 1}`);
    const cwd = projectDir({
      Procfile: plan
        .map((exit, i) => `${names[i]}: ${EXIT_WITH} ${exit} --after ${100 + 400 * i}\n`)
        .join(''),
      'procinit.yaml': `processes:\n${names.map((name) => `  ${name}: { restart: never }\n`).join('')}`,
    });
    const procinit = run(cwd);

    expect(await exitCodeWithin(procinit, 10_000)).toBe(code);
    const out = procinit.stdout();
    // The premise: they ended in the planned order (else "first" would mean something else).
    const ended = [...out.matchAll(/^procinit +\| (?:WARN )?(p\d)\.1 ended: exit (\d+)/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(ended).toEqual(names.map((name, i) => [name, plan[i]]));
    expect(out).toMatch(new RegExp(`^procinit +\\| procinit exits with code ${code}\\b`, 'm'));
  });
});

describe('shutdown asked for by a signal', () => {
  it.each([
    { signal: 'SIGTERM', childGets: 'SIGTERM' },
    { signal: 'SIGINT', childGets: 'SIGINT' },
    { signal: 'SIGQUIT', childGets: 'SIGTERM' },
  ] as const)(
    '$signal to procinit → children get $childGets and stop → exit 0',
    async ({ signal, childGets }) => {
      const cwd = projectDir({ Procfile: `web: ${EXIT_WITH} 0\nworker: ${EXIT_WITH} 0\n` });
      const procinit = run(cwd);
      const pids = await readyPids(procinit, ['web.1', 'worker.1']);
      procinit.child.kill(signal);

      expect(await exitCodeWithin(procinit, 10_000)).toBe(0);
      const out = procinit.stdout();
      expect(out).toMatch(new RegExp(`^web\\.1 +\\| web\\.1 got ${childGets}$`, 'm'));
      expect(out).toMatch(new RegExp(`^worker\\.1 +\\| worker\\.1 got ${childGets}$`, 'm'));
      expect(out).toMatch(/^procinit +\| procinit exits with code 0\b/m);
      expect(Object.values(pids).filter(isRunning)).toEqual([]);
    },
  );

  it('a child that ignores SIGTERM is killed after shutdown.timeout (300ms) → exit 1', async () => {
    const cwd = projectDir({
      Procfile: `stubborn: node ${FIXTURES}/ignore-sigterm.mjs\npolite: ${EXIT_WITH} 0\n`,
      'procinit.yaml': 'shutdown: { timeout: 300ms }\n',
    });
    const procinit = run(cwd);
    const stubborn = await stubbornReady(procinit);
    const { 'polite.1': polite } = await readyPids(procinit, ['polite.1']);
    const signalledAtMs = Date.now();
    procinit.child.kill('SIGTERM');

    expect(await exitCodeWithin(procinit, 10_000)).toBe(1);
    const tookMs = Date.now() - signalledAtMs;
    const out = procinit.stdout();
    // It got SIGTERM, ignored it, and was killed after 300 ms (not the default 8 s).
    expect(out).toMatch(/^stubborn\.1 +\| ignored SIGTERM$/m);
    expect(out).toMatch(/^procinit +\| WARN stubborn\.1: sending SIGKILL/m);
    expect(out).toMatch(/^procinit +\| stubborn\.1: exited, 0 restarts, last killed by SIGKILL\b/m);
    expect(out).toMatch(/^polite\.1 +\| polite\.1 got SIGTERM$/m);
    expect(out).not.toMatch(/polite\.1: sending SIGKILL/);
    expect(tookMs).toBeGreaterThanOrEqual(300);
    expect(tookMs).toBeLessThan(5_000);
    expect([stubborn, polite!].filter(isRunning)).toEqual([]);
  });
});

describe('a second signal during shutdown', () => {
  it('SIGTERM, then SIGTERM again while a child ignores it → SIGKILL at once, exit 1', async () => {
    const cwd = projectDir({
      Procfile: `stubborn: node ${FIXTURES}/ignore-sigterm.mjs\n`,
      // A timeout that must not fire: only the second signal can end this quickly.
      'procinit.yaml': 'shutdown: { timeout: 60s }\n',
    });
    const procinit = run(cwd);
    const stubborn = await stubbornReady(procinit);
    procinit.child.kill('SIGTERM');
    await procinit.waitForOutput(/^stubborn\.1 +\| ignored SIGTERM$/m);
    const secondAtMs = Date.now();
    procinit.child.kill('SIGTERM');

    expect(await exitCodeWithin(procinit, 10_000)).toBe(1);
    expect(Date.now() - secondAtMs).toBeLessThan(5_000);
    expect(procinit.stdout()).toMatch(
      /^procinit +\| stubborn\.1: exited, 0 restarts, last killed by SIGKILL\b/m,
    );
    expect(isRunning(stubborn)).toBe(false);
  });
});

describe('single-command mode: procinit -- COMMAND exits with the command’s code', () => {
  it.each([
    { script: 'exit 0', code: 0 },
    { script: 'exit 3', code: 3 },
    { script: 'kill -9 $$', code: 137 },
    { script: 'kill -TERM $$', code: 143 },
  ])('procinit -- sh -c $script → $code', async ({ script, code }) => {
    const procinit = run(projectDir({}), ['--', 'sh', '-c', script]);
    expect(await exitCodeWithin(procinit, 10_000)).toBe(code);
  });

  it('even when a signal to procinit ended it: SIGTERM, the command traps it and exits 7 → 7', async () => {
    const script = 'trap "echo got TERM; exit 7" TERM; echo READY; while :; do sleep 0.05; done';
    const procinit = run(projectDir({}), ['--', 'sh', '-c', script]);
    await procinit.waitForOutput(/^READY$/m);
    procinit.child.kill('SIGTERM');
    expect(await exitCodeWithin(procinit, 10_000)).toBe(7);
    expect(procinit.stdout()).toMatch(/^got TERM$/m);
  });
});
