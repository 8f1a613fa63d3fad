#!/usr/bin/env node
// Runs every benchmark in bench/ (issue 7's rows 1–9), one after the other (never in parallel:
// they would measure each other), then prints all their summary lines as one table and writes
// them to bench/results/latest.json (the per-benchmark results go to bench/results/run-<date>/).
// Passes on --quick, --runs and --procinit; flags of one benchmark only (--lines, --dir,
// --seconds, --count) are given by running that script directly. Exits non-zero if a benchmark
// failed (an error, a damaged output), never for a missed target: that is a finding.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nowMs, REPO_ROOT, RESULTS_DIR } from './lib.mjs';
import { parseBenchArgs } from './options.mjs';
import { procinitUnderTest } from './procinit-under-test.mjs';
import { describeMachine, isoSecond, writeResults } from './results.mjs';
import { formatNotes, formatSummary, missingLine } from './summary.mjs';

const USAGE = `usage: node bench/run-all.mjs [--quick] [--runs N] [--procinit PATH] [--only ROWS]
  --quick           a short version of every benchmark (about a minute in all, the full run
                    about six on 2 cores)
  --runs N          measured runs of each variant in every benchmark
  --procinit PATH   the procinit to measure (default $BENCH_PROCINIT, else package.json's bin)
  --only ROWS       only these rows of issue 7's table, e.g. 1,4,8
  --json PATH       also write the summary there`;

/** Issue 7's rows, each measured by one script. */
const BENCHMARKS = [
  { row: 1, script: 'startup.mjs', measure: 'exec → first child running' },
  { row: 2, script: 'memory.mjs', measure: 'RSS with 1 / 10 / 100 idle children' },
  { row: 3, script: 'output-throughput.mjs', measure: 'output throughput' },
  { row: 4, script: 'sigterm-exit.mjs', measure: 'SIGTERM → exit' },
  { row: 5, script: 'stop-escalation.mjs', measure: 'SIGKILL after stop_timeout' },
  { row: 6, script: 'respawn.mjs', measure: 'crash → respawn' },
  { row: 7, script: 'orphans.mjs', measure: 'zombies left' },
  { row: 8, script: 'health-load.mjs', measure: 'GET /health under wrk' },
  { row: 9, script: 'many-processes.mjs', measure: '500 processes' },
];
/**
 * The whole run's time limit (a full run takes ~6 min on 2 cores, --quick ~1): a benchmark
 * still running then is stopped (SIGTERM: it stops what it started), the rest are skipped.
 */
const BUDGET_MS = { full: 12 * 60_000, quick: 3 * 60_000 };

const args = parseBenchArgs(process.argv.slice(2), { only: 'string' }, USAGE);
const only = args.only?.split(',').map(Number);
const passed = [
  ...(args.quick ? ['--quick'] : []),
  ...(args.runs ? ['--runs', String(args.runs)] : []),
  '--procinit',
  procinitUnderTest(),
];
const date = isoSecond();
const runDir = join(RESULTS_DIR, `run-${date.replaceAll(':', '-')}`);
const startedMs = nowMs();
const deadlineMs = startedMs + (args.quick ? BUDGET_MS.quick : BUDGET_MS.full);

console.log(`procinit benchmark${args.quick ? ' (--quick)' : ''}: ${procinitUnderTest()}`);
console.log(describeMachine());
const lines = [];
const files = {};
/** The benchmark running now, to pass a SIGTERM or SIGINT on to (it stops what it started). */
let current;
let interrupted;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    interrupted = signal;
    current?.kill(signal);
  });
}
for (const benchmark of BENCHMARKS.filter((b) => !only || only.includes(b.row))) {
  console.log(`\n## row ${benchmark.row}: ${benchmark.script}\n`);
  const file = join(runDir, benchmark.script.replace(/\.mjs$/, '.json'));
  lines.push(...(await runOne(benchmark, file)));
  if (existsSync(file)) files[benchmark.script] = file;
}
report(lines);

/** Why a benchmark does not run (a signal, the time limit), or undefined when it may. */
function reasonToSkip() {
  if (interrupted) return `run-all got ${interrupted}`;
  if (nowMs() >= deadlineMs) return 'over the time limit of the run';
  return undefined;
}

/** Runs one benchmark; resolves with its summary lines, or one line saying why there are none. */
async function runOne({ row, script, measure }, file) {
  const skip = reasonToSkip();
  if (skip) return [missingLine({ row, measure, variant: script, why: skip })];
  mkdirSync(runDir, { recursive: true });
  const failure = await runScript(script, file);
  const written = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).summary : [];
  if (failure) process.exitCode = 1;
  if (written.length > 0 || !failure) return written;
  return [missingLine({ row, measure, variant: script, why: failure, error: true })];
}

/** Runs a benchmark script until it exits or the run's time is up; resolves with why it failed. */
function runScript(script, file) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, [join(REPO_ROOT, 'bench', script), ...passed, '--json', file], {
      stdio: 'inherit',
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      current.kill('SIGTERM');
    }, deadlineMs - nowMs());
    current.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (timedOut) resolve('stopped at the time limit of the run');
      else resolve(code === 0 ? undefined : `exit ${code ?? signal}`);
    });
  });
}

function report(summary) {
  const durationS = Math.round((nowMs() - startedMs) / 1000);
  const count = (key) => summary.filter(key).length;
  const tally =
    `${count((l) => l.pass === true)} PASS, ${count((l) => l.pass === false)} FAIL, ` +
    `${count((l) => l.skipped)} skipped, ${count((l) => l.error)} errors`;
  console.log(`\n# Summary (${durationS} s${args.quick ? ', --quick' : ''}): ${tally}\n`);
  console.log(formatSummary(summary));
  const notes = formatNotes(summary);
  if (notes) console.log(`\n${notes}`);
  const settings = { quick: args.quick === true, runs: args.runs, only, durationS };
  const latest = writeResults('all', { settings, summary, files }, join(runDir, 'summary.json'));
  copyFileSync(latest, join(RESULTS_DIR, 'latest.json'));
  if (args.json) copyFileSync(latest, args.json);
  console.log(`\nresults: ${join(RESULTS_DIR, 'latest.json')} (every run's samples: ${runDir})`);
}
