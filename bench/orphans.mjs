#!/usr/bin/env node
// Row 7, orphans: a child (helper orphans) makes 100 orphans by double fork; they are
// re-parented to PID 1 (procinit inside `unshare --pid --fork --mount-proc`), or to procinit as
// child subreaper when it is not PID 1, and exit 50 ms later. Once all have exited, the zombies
// left below the supervisor are counted from /proc until none is left or a settle time has
// passed. The negative control, the minimal Node parent as PID 1, reaps nothing: its count
// shows the check sees zombies when there are some.
import { runBenchmark } from './harness.mjs';
import { helper, NODE_PARENT } from './helpers.mjs';
import { nowMs } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { pid1Of, zombiesBelow } from './procfs.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, pid1Unavailable, startProcess, stopProcess } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, waitForEvents } from './stamps.mjs';
import { missingLine, summaryLine, zeroInEveryRun } from './summary.mjs';

const USAGE = `usage: node bench/orphans.mjs [--runs N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 5; --quick 2)
${COMMON_USAGE}`;

const ORPHANS = 100;
const LIFETIME_MS = 50;
/** How long after the last orphan exited zombies may still be reaped before they count. */
const SETTLE_MS = 1_000;
const POLL_MS = 5;
const RUN_TIMEOUT_MS = 30_000;

const PID1 = 'procinit as PID 1';
const SUBREAPER = 'procinit, subreaper (not PID 1)';
const CONTROL = 'minimal Node parent as PID 1 (negative control)';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the zombies below `rootPid` until there are none or SETTLE_MS has passed since `fromMs`;
 * returns the count last seen and when it first reached 0 (ms after `fromMs`, NaN if never).
 * `fromMs` is a stamp's time: the clock of nowMs().
 */
async function settleZombies(rootPid, fromMs) {
  for (;;) {
    const zombies = zombiesBelow(rootPid).length;
    const elapsedMs = nowMs() - fromMs;
    if (zombies === 0) return { zombies, reapedAfterMs: elapsedMs };
    if (elapsedMs > SETTLE_MS) return { zombies, reapedAfterMs: Number.NaN };
    await sleep(POLL_MS);
  }
}

async function runOrphans(argv, { cwd, stamps, asPid1, what }) {
  clearStamps(stamps);
  const proc = startProcess(argv, { cwd, env: stamps.env, asPid1, timeoutMs: RUN_TIMEOUT_MS, what });
  try {
    await waitForEvents(stamps, 'orphaned', 1, { timeoutMs: RUN_TIMEOUT_MS, what: `${what}: orphans made` });
    const ends = await waitForEvents(stamps, 'orphan-end', ORPHANS, {
      timeoutMs: RUN_TIMEOUT_MS,
      what: 'orphans ending',
    });
    const root = asPid1 ? pid1Of(proc.pid) : proc.pid;
    const settled = await settleZombies(root, Math.max(...ends.map((stamp) => stamp.ms)));
    await stopProcess(proc, { pid: root, what });
    return { ms: settled.reapedAfterMs, ...settled };
  } finally {
    killLeftovers([proc.pid]);
  }
}

runBenchmark({
  name: 'orphans',
  title: `row 7, ${ORPHANS} orphans (double fork, exit after ${LIFETIME_MS} ms): zombies left below the supervisor`,
  usage: USAGE,
  runs: { full: 5, quick: 2 },
  prepare: ({ workDir, stamps }) => {
    const orphans = [helper('orphans'), 'o', String(ORPHANS), String(LIFETIME_MS)];
    const project = makeProject('orphans', { processes: { o: orphans } }, workDir);
    const variant = (name, argv, asPid1) => ({
      name,
      run: () => runOrphans(argv, { cwd: project, stamps, asPid1, what: name }),
      show: (sample) => `${sample.zombies} zombies, reaped after ${sample.reapedAfterMs.toFixed(1)} ms`,
    });
    const procinit = procinitArgv(['--health-port', '0']);
    const variants = [variant(SUBREAPER, procinit, false)];
    const unavailable = pid1Unavailable();
    if (!unavailable) {
      variants.push(variant(PID1, procinit, true));
      variants.push(variant(CONTROL, [process.execPath, NODE_PARENT, '1', ...orphans], true));
    }
    const skipped = unavailable
      ? [PID1, CONTROL].map((variant) =>
          missingLine({ row: 7, measure: 'zombies left', variant, why: unavailable }),
        )
      : [];
    return {
      variants,
      summarize: summarizeOrphans,
      skipped,
      settings: { orphans: ORPHANS, settleMs: SETTLE_MS },
    };
  },
});

function summarizeOrphans(samples) {
  const measure = `zombies left ${SETTLE_MS} ms after the last orphan exited`;
  const present = [PID1, SUBREAPER].filter((variant) => samples[variant]);
  const lines = present.map((variant) => {
    const reaped = samples[variant].map((s) => s.reapedAfterMs).filter(Number.isFinite);
    const note =
      reaped.length > 0
        ? `all reaped within ${Math.max(...reaped).toFixed(1)} ms of the last exit`
        : undefined;
    return summaryLine({
      row: 7,
      measure,
      variant,
      unit: 'count',
      values: samples[variant].map((s) => s.zombies),
      target: zeroInEveryRun,
      note,
    });
  });
  if (samples[CONTROL]) {
    const values = samples[CONTROL].map((s) => s.zombies);
    lines.push(
      summaryLine({ row: 7, measure, variant: CONTROL, unit: 'count', values, note: `expected ${ORPHANS}` }),
    );
  }
  return lines;
}
