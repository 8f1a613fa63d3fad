#!/usr/bin/env node
// Row 4, SIGTERM → exit: three children that exit 0 at once on SIGTERM (helper idle) are
//   (a) signalled directly, each with SIGTERM (the floor of the children's own stop);
//   (b) supervised by the minimal Node parent, which gets the SIGTERM (the floor of a
//       supervisor: passing SIGTERM on, seeing three exits, exiting);
//   (c) supervised by procinit, which gets the SIGTERM;
//   (d) the same with procinit as PID 1 of a new PID namespace (unshare; root only).
// pidwatch (a pidfd per process) stamps the instant each child and the supervisor is gone, on
// the clock of the harness's own stamp taken right before the kill: so the figures are SIGTERM →
// last child gone, SIGTERM → supervisor gone, and last child gone → supervisor gone (issue 7's
// target for procinit: ≤ 5 ms), with no event loop's notification delay in any of them.
import { spawn } from 'node:child_process';
import { runBenchmark } from './harness.mjs';
import { helper, NODE_PARENT } from './helpers.mjs';
import { exitOf, nowMs } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { childPids, pid1Of } from './procfs.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, pid1Unavailable, startProcess, watchPids } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, readStamps, stampsOf, waitForEvents } from './stamps.mjs';
import { medianAtMost, missingLine, summaryLine } from './summary.mjs';

const USAGE = `usage: node bench/sigterm-exit.mjs [--runs N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 15; --quick 5)
${COMMON_USAGE}`;

const TAGS = ['a', 'b', 'c'];
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const TARGET_AFTER_LAST_CHILD_MS = 5;

const DIRECT = 'children signalled directly';
const NODE = 'minimal Node parent';
const PROCINIT = 'procinit';
const PID1 = 'procinit as PID 1';

/** When each watched pid was gone, by pid, from pidwatch's stamps. */
function goneTimes(stamps) {
  return new Map(stampsOf(readStamps(stamps), 'gone').map((stamp) => [stamp.pid, stamp.ms]));
}

/** The floor: the children themselves, each sent SIGTERM, until the last one is gone. */
async function runDirect(stamps) {
  clearStamps(stamps);
  const children = TAGS.map((tag) => spawn(helper('idle'), [tag], { stdio: 'ignore', env: stamps.env }));
  const exits = children.map((child) =>
    exitOf(child, { timeoutMs: READY_TIMEOUT_MS + STOP_TIMEOUT_MS, what: 'idle' }),
  );
  try {
    await waitForEvents(stamps, 'start', TAGS.length, {
      timeoutMs: READY_TIMEOUT_MS,
      what: 'children starting',
    });
    const watcher = await watchPids(
      children.map((child) => child.pid),
      stamps,
      { timeoutMs: STOP_TIMEOUT_MS },
    );
    const killedMs = nowMs();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all([...exits, watcher.exited]);
    const lastChildMs = Math.max(...goneTimes(stamps).values()) - killedMs;
    return { ms: lastChildMs, lastChildMs };
  } finally {
    killLeftovers(children.map((child) => child.pid));
  }
}

/** A supervisor (`argv`) of the three children: SIGTERM to it, until it is gone. */
async function runSupervisor(argv, { project, stamps, asPid1 = false }) {
  clearStamps(stamps);
  const proc = startProcess(argv, {
    cwd: project,
    env: stamps.env,
    asPid1,
    timeoutMs: READY_TIMEOUT_MS + STOP_TIMEOUT_MS,
    what: 'supervisor',
  });
  let children = [];
  try {
    const started = await waitForEvents(stamps, 'start', TAGS.length, {
      timeoutMs: READY_TIMEOUT_MS,
      what: 'children',
    });
    // Inside a namespace the stamps hold its pids; pidwatch, out here, needs ours.
    const supervisorPid = asPid1 ? pid1Of(proc.pid) : proc.pid;
    children = asPid1 ? childPids(supervisorPid) : started.map((stamp) => stamp.pid);
    const watcher = await watchPids([...children, supervisorPid], stamps, { timeoutMs: STOP_TIMEOUT_MS });
    const killedMs = nowMs();
    process.kill(supervisorPid, 'SIGTERM');
    const [{ code, signal }] = await Promise.all([proc.exited, watcher.exited]);
    if (code !== 0) throw new Error(`supervisor ended with ${code ?? signal}; stderr:\n${proc.stderrTail()}`);
    const gone = goneTimes(stamps);
    const lastChildGoneMs = Math.max(...children.map((pid) => gone.get(pid)));
    const supervisorGoneMs = gone.get(supervisorPid);
    return {
      ms: supervisorGoneMs - killedMs,
      lastChildMs: lastChildGoneMs - killedMs,
      afterLastChildMs: supervisorGoneMs - lastChildGoneMs,
    };
  } finally {
    killLeftovers([proc.pid, ...children]);
  }
}

runBenchmark({
  name: 'sigterm-exit',
  title: `row 4, SIGTERM → exit: ${TAGS.length} children that exit 0 at once on SIGTERM (helper idle)`,
  usage: USAGE,
  runs: { full: 15, quick: 5 },
  prepare: ({ workDir, stamps }) => {
    const processes = Object.fromEntries(TAGS.map((tag) => [tag, [helper('idle'), tag]]));
    const project = makeProject('sigterm', { processes }, workDir);
    const procinit = procinitArgv(['--health-port', '0']);
    const nodeParent = [process.execPath, NODE_PARENT, String(TAGS.length), helper('idle'), 'n'];
    const variants = [
      { name: DIRECT, run: () => runDirect(stamps) },
      { name: NODE, run: () => runSupervisor(nodeParent, { project, stamps }) },
      { name: PROCINIT, run: () => runSupervisor(procinit, { project, stamps }) },
    ];
    const unavailable = pid1Unavailable();
    if (!unavailable) {
      variants.push({ name: PID1, run: () => runSupervisor(procinit, { project, stamps, asPid1: true }) });
    }
    const skipped = unavailable
      ? [missingLine({ row: 4, measure: 'SIGTERM → supervisor gone', variant: PID1, why: unavailable })]
      : [];
    return { variants, summarize: summarizeSigterm, skipped };
  },
});

function summarizeSigterm(samples) {
  const line = (variant, measure, key, options = {}) =>
    summaryLine({
      row: 4,
      measure,
      variant,
      unit: 'ms',
      values: samples[variant].map((s) => s[key]),
      ...options,
    });
  const supervised = [PROCINIT, PID1].filter((variant) => samples[variant]);
  const childrenGone = 'SIGTERM → last child gone';
  const supervisorGone = 'SIGTERM → supervisor gone';
  const afterLast = 'last child gone → supervisor gone';
  const direct = line(DIRECT, childrenGone, 'lastChildMs');
  const nodeGone = line(NODE, supervisorGone, 'ms');
  const nodeAfter = line(NODE, afterLast, 'afterLastChildMs');
  const target = medianAtMost(TARGET_AFTER_LAST_CHILD_MS, 'ms');
  return [
    direct,
    line(NODE, childrenGone, 'lastChildMs', { floor: direct }),
    ...supervised.map((variant) => line(variant, childrenGone, 'lastChildMs', { floor: direct })),
    nodeGone,
    ...supervised.map((variant) => line(variant, supervisorGone, 'ms', { floor: nodeGone })),
    nodeAfter,
    ...supervised.map((variant) =>
      line(variant, afterLast, 'afterLastChildMs', { floor: nodeAfter, target }),
    ),
  ];
}
