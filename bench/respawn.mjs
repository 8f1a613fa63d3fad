#!/usr/bin/env node
// Row 6, crash → respawn: a child that crashes as soon as it starts (helper crash: stamps
// `start`, then `end` right before exit(1)), restarted with no backoff (procinit.yaml
// `backoff: { initial: 0s, max: 0s }`). Each gap from one run's `end` to the next run's `start`
// is a respawn: the exit reaching the supervisor, its decision, the fork and exec (through
// `/bin/sh -c exec` for procinit) and the program's start. A run is CYCLES respawns, its figure
// their median. Floors: the minimal Node parent respawning on 'exit', without and with the shell.
import { runBenchmark } from './harness.mjs';
import { helper, NODE_PARENT } from './helpers.mjs';
import { median } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, startProcess, stopProcess } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, readStamps, waitForEvents } from './stamps.mjs';
import { medianAtMost, summaryLine } from './summary.mjs';

const USAGE = `usage: node bench/respawn.mjs [--runs N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 7; --quick 3)
${COMMON_USAGE}`;

const TARGET_MS = 3;
const RUN_TIMEOUT_MS = 30_000;

const NODE = 'minimal Node parent';
const NODE_SHELL = 'minimal Node parent, sh -c exec';
const PROCINIT = 'procinit, backoff 0s';

/** The gaps from each run's end to the next run's start, in ms, in order. */
function respawnGaps(stampList) {
  const ordered = stampList
    .filter((s) => s.event === 'start' || s.event === 'end')
    .sort((a, b) => a.ms - b.ms);
  const gaps = [];
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i - 1].event === 'end' && ordered[i].event === 'start')
      gaps.push(ordered[i].ms - ordered[i - 1].ms);
  }
  return gaps;
}

/** One run: start the supervisor, wait for `cycles` respawns, stop it. */
async function runRespawn(argv, { cwd, stamps, cycles, what }) {
  clearStamps(stamps);
  const proc = startProcess(argv, { cwd, env: stamps.env, timeoutMs: RUN_TIMEOUT_MS, what });
  try {
    await waitForEvents(stamps, 'start', cycles + 1, {
      timeoutMs: RUN_TIMEOUT_MS,
      what: `${what}: ${cycles} respawns`,
    });
    await stopProcess(proc, { what });
    const gaps = respawnGaps(readStamps(stamps)).slice(0, cycles);
    return { ms: median(gaps), p90Ms: percentile(gaps, 0.9), maxMs: Math.max(...gaps), gaps };
  } finally {
    killLeftovers([proc.pid, ...readStamps(stamps).map((stamp) => stamp.pid)]);
  }
}

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

runBenchmark({
  name: 'respawn',
  title: 'row 6, crash → respawn with no backoff: exit of one run to the start of the next',
  usage: USAGE,
  runs: { full: 7, quick: 3 },
  prepare: ({ workDir, stamps, quick }) => {
    const cycles = quick ? 20 : 50;
    const crash = [helper('crash'), 'c'];
    const project = makeProject(
      'respawn',
      { processes: { c: crash }, config: ['processes:', '  c: { backoff: { initial: 0s, max: 0s } }'] },
      workDir,
    );
    const variant = (name, argv, cwd = workDir) => ({
      name,
      run: () => runRespawn(argv, { cwd, stamps, cycles, what: name }),
      show: (sample) => `median ${sample.ms.toFixed(2)} ms, p90 ${sample.p90Ms.toFixed(2)} ms`,
    });
    return {
      variants: [
        variant(NODE, [process.execPath, NODE_PARENT, '--respawn', '1', ...crash]),
        variant(NODE_SHELL, [process.execPath, NODE_PARENT, '--respawn', '--shell', '1', ...crash]),
        variant(PROCINIT, procinitArgv(['--health-port', '0']), project),
      ],
      summarize: summarizeRespawn,
      settings: { cyclesPerRun: cycles },
    };
  },
});

function summarizeRespawn(samples) {
  const measure = 'exit → next run started (median of a run)';
  const line = (variant, options = {}) =>
    summaryLine({
      row: 6,
      measure,
      variant,
      unit: 'ms',
      values: samples[variant].map((s) => s.ms),
      ...options,
    });
  const floor = line(NODE);
  const p90 = median(samples[PROCINIT].map((s) => s.p90Ms));
  return [
    floor,
    line(NODE_SHELL, { floor }),
    line(PROCINIT, {
      floor,
      target: medianAtMost(TARGET_MS, 'ms'),
      note: `p90 of a run's respawns ${p90.toFixed(2)} ms (median over runs)`,
    }),
  ];
}
