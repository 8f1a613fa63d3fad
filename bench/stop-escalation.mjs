#!/usr/bin/env node
// Row 5, escalation: a child that ignores SIGTERM (helper stubborn), with 3 grandchildren that
// ignore it too, one of which has left the process group (setsid), under procinit with
// stop_timeout 2s. procinit gets SIGTERM; after the 2 s grace, SIGKILL must go to the child's
// group and to every remaining descendant. pidwatch stamps when each is gone; the target is the
// child gone at grace + ≤ 20 ms, and no grandchild left once procinit has exited.
import { runBenchmark } from './harness.mjs';
import { helper } from './helpers.mjs';
import { nowMs } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, startProcess, watchPids } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, readStamps, stampsOf, waitForEvents } from './stamps.mjs';
import { medianAtMost, summaryLine, zeroInEveryRun } from './summary.mjs';

const USAGE = `usage: node bench/stop-escalation.mjs [--runs N] [options]
  --runs N          measured runs, after one warm-up (default 5; --quick 2)
${COMMON_USAGE}`;

const GRACE_MS = 2_000;
const GRANDCHILDREN = 3;
const TARGET_LATE_MS = 20;
/** How long after procinit's exit a grandchild may still take to be gone before it counts as left. */
const LEFT_AFTER_MS = 1_000;
const READY_TIMEOUT_MS = 15_000;
const VARIANT = 'procinit, stop_timeout 2s';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runEscalation(project, stamps) {
  clearStamps(stamps);
  const proc = startProcess(procinitArgv(['--health-port', '0']), {
    cwd: project,
    env: stamps.env,
    timeoutMs: READY_TIMEOUT_MS + GRACE_MS * 5,
    what: 'procinit',
  });
  let pids = [];
  try {
    const [child] = await waitForEvents(stamps, 'start', 1, {
      timeoutMs: READY_TIMEOUT_MS,
      what: 'stubborn',
    });
    // A grandchild stamps after its fork returned in the child, so maybe after the child's start.
    const grandchildren = (
      await waitForEvents(stamps, 'grandchild', GRANDCHILDREN, {
        timeoutMs: READY_TIMEOUT_MS,
        what: 'grandchildren',
      })
    ).map((stamp) => stamp.pid);
    pids = [child.pid, ...grandchildren];
    const watcher = await watchPids([...pids, proc.pid], stamps, { timeoutMs: GRACE_MS * 5 });
    const termMs = nowMs();
    process.kill(proc.pid, 'SIGTERM');
    const { code } = await proc.exited;
    await Promise.race([watcher.exited, sleep(LEFT_AFTER_MS)]);
    const gone = new Map(stampsOf(readStamps(stamps), 'gone').map((stamp) => [stamp.pid, stamp.ms]));
    return {
      ms: gone.get(child.pid) - termMs,
      lastGrandchildMs: Math.max(...grandchildren.map((pid) => gone.get(pid) ?? Number.NaN)) - termMs,
      procinitGoneMs: gone.get(proc.pid) - termMs,
      grandchildrenLeft: grandchildren.filter((pid) => !gone.has(pid)).length,
      exitCode: code,
    };
  } finally {
    killLeftovers([proc.pid, ...pids]);
  }
}

runBenchmark({
  name: 'stop-escalation',
  title: `row 5, SIGTERM ignored: SIGKILL after a ${GRACE_MS} ms grace, ${GRANDCHILDREN} grandchildren (one setsid)`,
  usage: USAGE,
  runs: { full: 5, quick: 2 },
  prepare: ({ workDir, stamps }) => {
    const project = makeProject(
      'escalation',
      {
        processes: { s: [helper('stubborn'), 's', String(GRANDCHILDREN)] },
        config: ['processes:', `  s: { stop_timeout: ${GRACE_MS}ms }`],
      },
      workDir,
    );
    return {
      variants: [{ name: VARIANT, run: () => runEscalation(project, stamps) }],
      summarize: summarizeEscalation,
      settings: { graceMs: GRACE_MS, grandchildren: GRANDCHILDREN },
    };
  },
});

function summarizeEscalation(samples) {
  const runs = samples[VARIANT];
  const line = (measure, key, unit, options = {}) =>
    summaryLine({ row: 5, measure, variant: VARIANT, unit, values: runs.map((s) => s[key]), ...options });
  const codes = [...new Set(runs.map((s) => s.exitCode))].join(', ');
  return [
    line('SIGTERM → SIGKILLed child gone', 'ms', 'ms', {
      target: medianAtMost(GRACE_MS + TARGET_LATE_MS, 'ms'),
      note: `procinit exit code ${codes} (SPEC §8: 1 when SIGKILL was needed)`,
    }),
    line('SIGTERM → last grandchild gone', 'lastGrandchildMs', 'ms'),
    line('SIGTERM → procinit gone', 'procinitGoneMs', 'ms'),
    line(`grandchildren left ${LEFT_AFTER_MS} ms after exit`, 'grandchildrenLeft', 'count', {
      target: zeroInEveryRun,
    }),
  ];
}
