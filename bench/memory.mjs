#!/usr/bin/env node
// Row 2, memory: procinit's own resident memory (VmRSS of its process alone, children not
// counted) holding 1, 10 and 100 idle children, once all of them run and a settle time has
// passed, against the minimal Node parent holding as many (bench/floors/node-parent.cjs: each
// child piped, its output carried on, as procinit does).
import { makeFleetProject, runFleet } from './fleet.mjs';
import { runBenchmark } from './harness.mjs';
import { COMMON_USAGE } from './options.mjs';
import { ratioAtMost, summaryLine } from './summary.mjs';

const USAGE = `usage: node bench/memory.mjs [--runs N] [options]
  --runs N          measured runs of each variant, after one warm-up (default 5; --quick 2)
${COMMON_USAGE}`;

const COUNTS = [1, 10, 100];
const TARGET_RATIO = 1.15;
const SUPERVISORS = { node: 'minimal Node parent', procinit: 'procinit' };

const variantName = (supervisor, count) => `${SUPERVISORS[supervisor]}, ${count} idle`;

runBenchmark({
  name: 'memory',
  title: `row 2, supervisor RSS with ${COUNTS.join(' / ')} idle children (VmRSS of the supervisor alone)`,
  usage: USAGE,
  runs: { full: 5, quick: 2 },
  prepare: ({ workDir, stamps, quick }) => {
    const project = makeFleetProject(workDir);
    const settleMs = quick ? 300 : 1_000;
    const variants = COUNTS.flatMap((count) =>
      Object.keys(SUPERVISORS).map((supervisor) => ({
        name: variantName(supervisor, count),
        run: () => runFleet({ supervisor, count, project, stamps, settleMs }),
        show: (sample) => `${sample.rssMiB.toFixed(1)} MiB`,
      })),
    );
    return { variants, summarize: summarizeMemory, settings: { settleMs, counts: COUNTS } };
  },
});

function summarizeMemory(samples) {
  return COUNTS.flatMap((count) => {
    const measure = `RSS, ${count} idle ${count === 1 ? 'child' : 'children'}`;
    const line = (supervisor, options = {}) => {
      const variant = variantName(supervisor, count);
      const values = samples[variant].map((sample) => sample.rssMiB);
      return summaryLine({
        row: 2,
        measure,
        variant: SUPERVISORS[supervisor],
        unit: 'MiB',
        values,
        ...options,
      });
    };
    const floor = line('node');
    return [floor, line('procinit', { floor, target: ratioAtMost(TARGET_RATIO) })];
  });
}
