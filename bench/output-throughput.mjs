#!/usr/bin/env node
// Row 3, output throughput: 4 children each write LINES lines of 100 B as fast as they can
// (helper lines, in C, so the floor is the file system's speed and not a Node child's), and the
// time from start to the last exit is measured
//   (a) direct: each child's stdout is its own O_APPEND descriptor of one file (the floor);
//   (b) through procinit, --log-format pretty, its stdout redirected to a file;
//   (c) the same with --log-format json;
//   (d) for reference, the least a Node parent does to carry whole lines (floors/node-relay.cjs);
// and, to show procinit's start-up share of (b), both again with children that print nothing.
// Every run's file is checked: no line lost, split, merged, reordered or repeated.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from './harness.mjs';
import {
  fileSystemOf,
  formatCount,
  formatMs,
  formatTable,
  summarize,
  TIMING_COLUMNS,
  timingCells,
} from './lib.mjs';
import { COMMON_USAGE } from './options.mjs';
import { checkOutput, isIntact } from './output-check.mjs';
import { CHILDREN, LINE_BYTES, makeOutputProject, runVariant, TAGS } from './output-runs.mjs';
import { ratioAtMost, summaryLine, zeroInEveryRun } from './summary.mjs';

const USAGE = `usage: node bench/output-throughput.mjs [--runs N] [--lines N] [--dir PATH] [--child c|node] [options]
  --runs N          measured runs of each variant, after one warm-up (default 7; --quick 2)
  --lines N         lines per child (default 250000; --quick 25000)
  --dir PATH        where the output files go (default: the OS temp dir); try /dev/shm for tmpfs
  --child c|node    the writing child: helper lines (C, default) or test/fixtures/chatty.mjs
${COMMON_USAGE}`;

/** The least lines per child for which the "less 0-line run" lines are shown. */
const NET_MIN_LINES = 100_000;

/** One variant: runs, checks the file, deletes it; the sample is the time plus the counts. */
function variant({ name, format, lines, project, outDir, childArgv, env }) {
  const outFile = join(outDir, `${format}-${lines}.out`);
  const run = async () => {
    rmSync(outFile, { force: true });
    const ms = await runVariant({ format, lines, project, outFile, childArgv, env });
    const outputBytes = statSync(outFile).size;
    // The relay writes the children's lines as they are, as the children do themselves.
    const asWritten = format === 'direct' || format === 'relay';
    const procOf = asWritten ? (tag) => tag : (tag) => `${tag}.1`;
    const counts = checkOutput(readFileSync(outFile), {
      format: asWritten ? 'direct' : format,
      tags: TAGS,
      procOf,
      linesPerChild: lines,
      lineBytes: LINE_BYTES,
    });
    rmSync(outFile, { force: true });
    return { ms, outputBytes, ...counts };
  };
  return { name, lines, run };
}

/** The names the summary and the detail table refer to. */
const DIRECT = 'direct to file (floor)';
const RELAY = 'minimal Node relay, whole lines';
const PRETTY = 'procinit pretty';
const JSON_FORMAT = 'procinit json';
const DIRECT_EMPTY = 'direct, 0-line children (floor)';
const PRETTY_EMPTY = 'procinit pretty, 0-line children';

/** The rows, in order; `full` says the children write `--lines` lines, else none. */
const ROWS = [
  { name: DIRECT, format: 'direct', full: true },
  { name: RELAY, format: 'relay', full: true, floor: DIRECT },
  { name: PRETTY, format: 'pretty', full: true, floor: DIRECT },
  { name: JSON_FORMAT, format: 'json', full: true, floor: DIRECT },
  { name: DIRECT_EMPTY, format: 'direct', full: false },
  { name: PRETTY_EMPTY, format: 'pretty', full: false, floor: DIRECT_EMPTY },
];

runBenchmark({
  name: 'output-throughput',
  title: `row 3, output throughput: ${TAGS.length} children × LINES lines of ${LINE_BYTES} B to a file`,
  usage: USAGE,
  spec: { lines: 'number', dir: 'string', child: 'string' },
  runs: { full: 7, quick: 2 },
  prepare: ({ args, quick, workDir, env }) => {
    const lines = args.lines ?? (quick ? 25_000 : 250_000);
    const child = args.child ?? 'c';
    const childArgv = CHILDREN[child];
    if (!childArgv) throw new Error(`--child ${child}: expected c or node`);
    const fileSystem = fileSystemOf(workDir);
    console.log(`${lines} lines per child (${child} writers); files in ${workDir} (${fileSystem})`);
    const projects = {
      true: makeOutputProject(workDir, childArgv, lines),
      false: makeOutputProject(workDir, childArgv, 0),
    };
    const variants = ROWS.map((row) =>
      variant({
        ...row,
        lines: row.full ? lines : 0,
        project: projects[row.full],
        outDir: workDir,
        childArgv,
        env,
      }),
    );
    return {
      variants,
      summarize: (samples) => summarizeOutput(samples, lines),
      report: (samples) => printDetails(variants, samples),
      settings: {
        lines,
        child,
        dir: args.dir ?? tmpdir(),
        fileSystem,
        children: TAGS.length,
        lineBytes: LINE_BYTES,
      },
    };
  },
});

/** Lost + split/merged + reordered + repeated lines of one run. */
const damaged = (sample) => sample.lost + sample.broken + sample.outOfOrder + sample.duplicated;

/**
 * Each run's time less the same round's time with 0-line children: the cost of the lines alone,
 * start-up and shutdown taken out (rounds pair up: runAlternating runs each variant once a round).
 */
const netOfStartup = (samples, variant, empty) =>
  samples[variant].map((sample, round) => sample.ms - samples[empty][round].ms);

function summarizeOutput(samples, lines) {
  const line = (variant, measure, options = {}) =>
    summaryLine({
      row: 3,
      measure,
      variant,
      unit: 'ms',
      values: samples[variant].map((s) => s.ms),
      ...options,
    });
  const wall = `${TAGS.length} × ${lines.toLocaleString('en')} lines to a file`;
  const direct = line(DIRECT, wall);
  const empty = line(DIRECT_EMPTY, `${TAGS.length} × 0 lines: start to exit`);
  const net = `${wall}, less 0-line run`;
  const netLine = (variant, empties, floor) =>
    summaryLine({
      row: 3,
      measure: net,
      variant,
      unit: 'ms',
      values: netOfStartup(samples, variant, empties),
      floor,
    });
  const directNet = netLine(DIRECT, DIRECT_EMPTY);

  const integrity = (variant) => ({
    ...summaryLine({
      row: 3,
      measure: 'lines lost/split/merged/reordered',
      variant,
      unit: 'count',
      values: samples[variant].map(damaged),
      target: zeroInEveryRun,
    }),
    failed: !samples[variant].every(isIntact),
  });
  // With few lines the difference is noise around start-up's own spread: shown for 100k and up.
  const nets =
    lines >= NET_MIN_LINES
      ? [directNet, netLine(PRETTY, PRETTY_EMPTY, directNet), netLine(JSON_FORMAT, PRETTY_EMPTY, directNet)]
      : [];
  return [
    direct,
    line(RELAY, wall, { floor: direct }),
    line(PRETTY, wall, { floor: direct, target: ratioAtMost(1.3) }),
    line(JSON_FORMAT, wall, { floor: direct, target: ratioAtMost(2) }),
    empty,
    line(PRETTY_EMPTY, `${TAGS.length} × 0 lines: start to exit`, { floor: empty }),
    ...nets,
    integrity(PRETTY),
    integrity(JSON_FORMAT),
  ];
}

const DETAIL_COLUMNS = [
  { header: 'variant', align: 'left' },
  ...TIMING_COLUMNS,
  { header: 'lines/s', align: 'right' },
  { header: 'lost', align: 'right' },
  { header: 'split/merged', align: 'right' },
  { header: 'reordered/dup', align: 'right' },
];

function sum(samples, key) {
  return samples.reduce((total, sample) => total + sample[key], 0);
}

/** The detail table: throughput and every integrity count, summed over the measured runs. */
function printDetails(variants, samples) {
  const stats = Object.fromEntries(
    variants.map((v) => [v.name, summarize(samples[v.name].map((s) => s.ms))]),
  );
  const floorOf = Object.fromEntries(ROWS.map((row) => [row.name, row.floor]));
  const rows = variants.map((v) => {
    const total = TAGS.length * v.lines;
    const perSecond = total > 0 ? formatCount(total / (stats[v.name].median / 1000)) : '—';
    const runs = samples[v.name];
    const counts = [
      sum(runs, 'lost'),
      sum(runs, 'broken'),
      sum(runs, 'outOfOrder') + sum(runs, 'duplicated'),
    ];
    return [v.name, ...timingCells(stats[v.name], stats[floorOf[v.name]]), perSecond, ...counts.map(String)];
  });
  console.log(`${formatTable(DETAIL_COLUMNS, rows)}\n`);
  const startup = stats[PRETTY_EMPTY].median;
  const share = ((startup / stats[PRETTY].median) * 100).toFixed(0);
  console.log(
    `procinit start-up and shutdown (0-line children): ${formatMs(startup)} ms, ` +
      `+${formatMs(startup - stats[DIRECT_EMPTY].median)} ms over the children alone; ${share} % of ${PRETTY}.`,
  );
  if (!variants.every((v) => samples[v.name].every(isIntact)))
    console.log('INTEGRITY FAILURE: some output was lost, split, merged, reordered or repeated.');
}
