#!/usr/bin/env node
// Row 9, 500 processes: procinit started with 500 idle children (`-m p=500`): the time from its
// exec to the last child's first instant, then, once settled, its CPU use while nothing happens
// (utime + stime of /proc/PID/stat over a window: every thread, in % of one core) and its memory.
// The floor is the minimal Node parent holding as many.
import { makeFleetProject, runFleet } from './fleet.mjs';
import { runBenchmark } from './harness.mjs';
import { median } from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { medianAtMost, summaryLine } from './summary.mjs';

const USAGE = `usage: node bench/many-processes.mjs [--runs N] [--count N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 5; --quick 1, no warm-up)
  --count N         children (default 500)
${COMMON_USAGE}`;

const TARGET_ALL_RUNNING_MS = 2_000;
const TARGET_IDLE_CPU_PERCENT = 1;
const SETTLE_MS = 1_000;

const NODE = 'minimal Node parent';
const PROCINIT = 'procinit';

runBenchmark({
  name: 'many-processes',
  title: 'row 9, many processes: exec → all running, then idle CPU and RSS once settled',
  usage: USAGE,
  spec: { count: 'number' },
  runs: { full: 5, quick: 1 },
  prepare: ({ args, quick, workDir, stamps }) => {
    const count = args.count ?? 500;
    const cpuWindowMs = quick ? 2_000 : 5_000;
    const project = makeFleetProject(workDir);
    const variant = (name, supervisor) => ({
      name,
      run: () => runFleet({ supervisor, count, project, stamps, settleMs: SETTLE_MS, cpuWindowMs }),
      show: (s) =>
        `all running ${s.allRunningMs.toFixed(0)} ms, idle CPU ${s.cpuPercent.toFixed(2)} %, ${s.rssMiB.toFixed(1)} MiB`,
    });
    return {
      variants: [variant(NODE, 'node'), variant(PROCINIT, 'procinit')],
      // A warm-up round of 500 processes costs ~10 s: --quick goes without it.
      warmup: quick ? 0 : 1,
      summarize: (samples) => summarizeMany(samples, count, cpuWindowMs),
      settings: { count, settleMs: SETTLE_MS, cpuWindowMs },
    };
  },
});

function summarizeMany(samples, count, cpuWindowMs) {
  const line = (measure, variant, key, unit, options = {}) =>
    summaryLine({ row: 9, measure, variant, unit, values: samples[variant].map((s) => s[key]), ...options });
  const running = line(`${count} processes: exec → all running`, NODE, 'allRunningMs', 'ms');
  const cpu = line(`${count} processes: idle CPU over ${cpuWindowMs / 1000} s`, NODE, 'cpuPercent', '%');
  const rss = line(`${count} processes: RSS`, NODE, 'rssMiB', 'MiB');
  const precise = (variant) => median(samples[variant].map((s) => s.preciseCpuPercent)).toFixed(2);
  return [
    running,
    line(running.measure, PROCINIT, 'allRunningMs', 'ms', {
      floor: running,
      target: medianAtMost(TARGET_ALL_RUNNING_MS, 'ms'),
    }),
    cpu,
    line(cpu.measure, PROCINIT, 'cpuPercent', '%', {
      floor: cpu,
      target: medianAtMost(TARGET_IDLE_CPU_PERCENT, '%'),
      note: `idle CPU from schedstat (ns, not 10 ms ticks): ${precise(PROCINIT)} % (floor ${precise(NODE)} %)`,
    }),
    rss,
    line(rss.measure, PROCINIT, 'rssMiB', 'MiB', { floor: rss }),
  ];
}
