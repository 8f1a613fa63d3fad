// The frame every benchmark script shares: arguments, the build check, the helpers, a work
// directory with a stamp file, the runs in alternation, the summary table and the results file.
// A script only says what its variants are and how their samples become summary lines.
import { rmSync } from 'node:fs';
import { buildHelpers } from './helpers.mjs';
import { benchEnv, makeTempDir, runAlternating } from './lib.mjs';
import { parseBenchArgs } from './options.mjs';
import { checkBuild, procinitUnderTest } from './procinit-under-test.mjs';
import { stopEverything } from './procs.mjs';
import { describeMachine, writeResults } from './results.mjs';
import { createStamps } from './stamps.mjs';
import { formatNotes, formatSummary } from './summary.mjs';

/**
 * Runs a benchmark: `definition` is
 * `{ name, title, usage, spec?, runs: { full, quick }, prepare(context) }`, and `prepare`
 * resolves to `{ variants, summarize(samples) → lines, report?(samples), settings?, skipped?,
 * warmup?, cleanup?() }`, where `skipped` lists summary lines of variants that cannot run here,
 * `report` prints what the summary does not show (a detail table) and `warmup` is the number of
 * warm-up rounds (default 1; 0 for a benchmark that warms up inside each run). `context` is
 * `{ args, runs, quick, workDir, stamps, env }`. Exits 1 when it fails or a line says so
 * (`failed: true`, an integrity failure: never a missed target, which is a finding).
 */
export function runBenchmark(definition) {
  main(definition).catch((error) => {
    console.error(`${definition.name}: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  });
}

async function main({ name, title, usage, spec = {}, runs: defaultRuns, prepare }) {
  const args = parseBenchArgs(process.argv.slice(2), spec, usage);
  const quick = args.quick === true;
  const runs = args.runs ?? (quick ? defaultRuns.quick : defaultRuns.full);
  const buildWarning = checkBuild();
  buildHelpers();
  const workDir = makeTempDir(name, args.dir);
  const stamps = createStamps(workDir, benchEnv());
  stopOnSignals(workDir);
  let bench;
  try {
    console.log(title);
    bench = await prepare({ args, runs, quick, workDir, stamps, env: stamps.env });
    const warmup = bench.warmup ?? 1;
    console.log(`runs ${runs} per variant (+${warmup} warm-up); procinit: ${procinitUnderTest()}`);
    console.log(describeMachine());
    const samples = await runAlternating(bench.variants, { runs, warmup });
    const lines = [...bench.summarize(samples), ...(bench.skipped ?? [])];
    printSummary(lines);
    bench.report?.(samples);
    const settings = { runs, quick, ...bench.settings, buildWarning };
    const file = writeResults(name, { settings, summary: lines, samples }, args.json);
    console.log(`results: ${file}`);
    if (lines.some((line) => line.failed)) process.exitCode = 1;
  } finally {
    await bench?.cleanup?.();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * SIGTERM (run-all's time limit) or SIGINT (Ctrl-C) in the middle of a run: stop what the run
 * started, so no procinit or child outlives the benchmark, remove the work directory, exit.
 */
function stopOnSignals(workDir) {
  const stop = async (signal) => {
    console.error(`\n${signal}: stopping what this benchmark started`);
    await stopEverything();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function printSummary(lines) {
  console.log(`\n${formatSummary(lines)}\n`);
  const notes = formatNotes(lines);
  if (notes) console.log(`${notes}\n`);
}
