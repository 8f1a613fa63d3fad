#!/usr/bin/env node
// Row 1, start-up: from the exec of the supervisor to its first child running. exec-stamp stamps
// the instant before it execs the supervisor (same pid), and the child (helper idle) stamps its
// first instant in main(); both on CLOCK_MONOTONIC, so the harness's own fork is outside the
// figure and so is how soon the harness notices. Variants:
//   the child exec'd directly (the absolute floor: exec and the child's own start);
//   a minimal Node parent spawning it (the floor of the target), and the same through
//     `/bin/sh -c 'exec …'` (to tell procinit's cost from its Procfile shell's);
//   procinit with a one-line Procfile, and procinit -- PROGRAM (no shell).
import { runBenchmark } from './harness.mjs';
import { helper, NODE_PARENT } from './helpers.mjs';
import { makeTempDir } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, startProcess, stopProcess } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, readStamps, stampsOf, waitForEvents } from './stamps.mjs';
import { ratioAtMost, summaryLine } from './summary.mjs';

const USAGE = `usage: node bench/startup.mjs [--runs N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 15; --quick 4)
${COMMON_USAGE}`;

const RUN_TIMEOUT_MS = 20_000;
const TARGET_RATIO = 1.15;

const DIRECT = "child exec'd directly";
const NODE = 'minimal Node parent';
const NODE_SHELL = 'minimal Node parent, sh -c exec';
const PROCFILE = 'procinit (Procfile)';
const SINGLE = 'procinit -- PROGRAM';

/** One run: exec, wait for the child's start stamp, stop everything. */
async function measureStart(argv, { cwd, stamps, what }) {
  clearStamps(stamps);
  const proc = startProcess([helper('exec-stamp'), ...argv], {
    cwd,
    env: stamps.env,
    timeoutMs: RUN_TIMEOUT_MS,
    what,
  });
  let started = [];
  try {
    started = await waitForEvents(stamps, 'start', 1, {
      timeoutMs: RUN_TIMEOUT_MS,
      what: `${what}: child start`,
    });
    const [exec] = stampsOf(readStamps(stamps), 'exec');
    await stopProcess(proc, { what });
    return { ms: started[0].ms - exec.ms };
  } finally {
    killLeftovers([proc.pid, ...started.map((stamp) => stamp.pid)]);
  }
}

runBenchmark({
  name: 'startup',
  title: 'row 1, exec → first child running (helper idle, stamps CLOCK_MONOTONIC)',
  usage: USAGE,
  runs: { full: 15, quick: 4 },
  prepare: ({ workDir, stamps }) => {
    const idle = [helper('idle'), 'p'];
    const project = makeProject('startup', { processes: { p: idle } }, workDir);
    const empty = makeTempDir('startup-single', workDir);
    const variant = (name, argv, cwd = workDir) => ({
      name,
      run: () => measureStart(argv, { cwd, stamps, what: name }),
    });
    return {
      variants: [
        variant(DIRECT, idle),
        variant(NODE, [process.execPath, NODE_PARENT, '1', ...idle]),
        variant(NODE_SHELL, [process.execPath, NODE_PARENT, '--shell', '1', ...idle]),
        variant(PROCFILE, procinitArgv(['--health-port', '0']), project),
        variant(SINGLE, procinitArgv(['--health-port', '0', '--', ...idle]), empty),
      ],
      summarize: (samples) => summarizeStartup(samples),
    };
  },
});

function summarizeStartup(samples) {
  const measure = 'exec → first child running';
  const line = (variant, options = {}) =>
    summaryLine({
      row: 1,
      measure,
      variant,
      unit: 'ms',
      values: samples[variant].map((s) => s.ms),
      ...options,
    });
  const floor = line(NODE);
  const target = ratioAtMost(TARGET_RATIO);
  return [
    line(DIRECT, { isFloor: true }),
    floor,
    line(NODE_SHELL, { floor }),
    line(PROCFILE, { floor, target }),
    line(SINGLE, { floor, target }),
  ];
}
