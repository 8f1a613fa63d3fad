#!/usr/bin/env node
// Output throughput: 4 children each write LINES lines of 100 B as fast as they can
// (test/fixtures/chatty.mjs), and the time from start to the last exit is measured
//   (a) direct: each child's stdout is its own O_APPEND descriptor of one file (the floor);
//   (b) through the real procinit binary, --log-format pretty, its stdout redirected to a file;
//   (c) the same with --log-format json;
// and, to show procinit's start-up share of (b), both again with children that print nothing.
// Every run's file is checked: no line lost, split, merged, reordered or repeated.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchEnv,
  checkBuild,
  describeMachine,
  exitOf,
  FIXTURES,
  fileSystemOf,
  formatCount,
  formatMs,
  formatTable,
  makeTempDir,
  nowMs,
  PROCINIT_BIN,
  parseArgs,
  ratio,
  runAlternating,
  summarize,
  TIMING_COLUMNS,
  timingCells,
  writeResults,
} from './lib.mjs';
import { checkOutput, isIntact } from './output-check.mjs';

const USAGE = `usage: node bench/output-throughput.mjs [--runs N] [--lines N] [--quick] [--dir PATH]
  --runs N    measured runs of each variant, after one warm-up (default 7; --quick 3)
  --lines N   lines per child (default 250000; --quick 25000)
  --dir PATH  where the output files go (default: the OS temp dir); try /dev/shm for tmpfs`;

const TAGS = ['c1', 'c2', 'c3', 'c4'];
const LINE_BYTES = 100;
const CHATTY = join(FIXTURES, 'chatty.mjs');
const RUN_TIMEOUT_MS = 300_000;
const env = benchEnv();

const chattyArgs = (tag, lines) => [
  CHATTY,
  '--count',
  String(lines),
  '--size',
  String(LINE_BYTES),
  '--tag',
  tag,
];

/** Quotes a word for /bin/sh when it needs it (procinit runs Procfile commands through sh). */
const shellWord = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/** A project directory: 4 chatty processes that run once (restart: never), so procinit exits. */
function makeProject(base, lines) {
  const dir = makeTempDir(`output-${lines}`, base);
  const command = (tag) => [process.execPath, ...chattyArgs(tag, lines)].map(shellWord).join(' ');
  writeFileSync(join(dir, 'Procfile'), TAGS.map((tag) => `${tag}: ${command(tag)}\n`).join(''));
  const config = ['processes:', ...TAGS.map((tag) => `  ${tag}: { restart: never }`)];
  writeFileSync(join(dir, 'procinit.yaml'), `${config.join('\n')}\n`);
  return dir;
}

/** The floor: the children write the file themselves; the clock runs from spawn to last exit. */
async function runDirect(outFile, lines) {
  const fds = TAGS.map(() => openSync(outFile, 'a'));
  try {
    const startedMs = nowMs();
    const exits = TAGS.map((tag, i) => {
      const child = spawn(process.execPath, chattyArgs(tag, lines), {
        stdio: ['ignore', fds[i], 'inherit'],
        env,
      });
      return exitOf(child, { timeoutMs: RUN_TIMEOUT_MS, what: `chatty ${tag} exiting` });
    });
    const results = await Promise.all(exits);
    const ms = nowMs() - startedMs;
    const bad = results.find((result) => result.code !== 0);
    if (bad) throw new Error(`a chatty child ended with ${bad.code ?? bad.signal}`);
    return ms;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** procinit, started by path, its stdout the file; the clock runs from spawn to its exit. */
async function runProcinit(project, outFile, format) {
  const errFile = `${outFile}.stderr`;
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  try {
    const argv = [PROCINIT_BIN, '--log-format', format, '--health-port', '0'];
    const startedMs = nowMs();
    const child = spawn(process.execPath, argv, { cwd: project, stdio: ['ignore', out, err], env });
    const { code, signal } = await exitOf(child, { timeoutMs: RUN_TIMEOUT_MS, what: 'procinit exiting' });
    const ms = nowMs() - startedMs;
    if (code !== 0) {
      const stderr = readFileSync(errFile, 'utf8').slice(-2000);
      throw new Error(`procinit ended with ${code ?? signal} in ${project}; stderr:\n${stderr}`);
    }
    return ms;
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(errFile, { force: true });
  }
}

/** One variant: runs, checks the file, deletes it; the sample is the time plus the counts. */
function variant({ name, format, lines, project, outDir, floor, targetRatio }) {
  const outFile = join(outDir, `${format}-${lines}.out`);
  const run = async () => {
    rmSync(outFile, { force: true });
    const ms =
      format === 'direct' ? await runDirect(outFile, lines) : await runProcinit(project, outFile, format);
    const outputBytes = statSync(outFile).size;
    const procOf = format === 'direct' ? (tag) => tag : (tag) => `${tag}.1`;
    const counts = checkOutput(readFileSync(outFile), {
      format,
      tags: TAGS,
      procOf,
      linesPerChild: lines,
      lineBytes: LINE_BYTES,
    });
    rmSync(outFile, { force: true });
    return { ms, outputBytes, ...counts };
  };
  return { name, format, lines, floor, targetRatio, run };
}

function sum(samples, key) {
  return samples.reduce((total, sample) => total + sample[key], 0);
}

function tableRow(variant, stats, floorStats, samples) {
  const totalLines = TAGS.length * variant.lines;
  const perSecond = totalLines > 0 ? formatCount(totalLines / (stats.median / 1000)) : '—';
  const reordered = sum(samples, 'outOfOrder') + sum(samples, 'duplicated');
  let target = '';
  if (variant.targetRatio) {
    const verdict = ratio(stats.median, floorStats.median) <= variant.targetRatio ? 'ok' : 'OVER';
    target = `≤ ${variant.targetRatio.toFixed(2)}× ${verdict}`;
  }
  const counts = [sum(samples, 'lost'), sum(samples, 'broken'), reordered].map(String);
  return [variant.name, ...timingCells(stats, floorStats), perSecond, ...counts, target];
}

const COLUMNS = [
  { header: 'variant', align: 'left' },
  ...TIMING_COLUMNS,
  { header: 'lines/s', align: 'right' },
  { header: 'lost', align: 'right' },
  { header: 'split/merged', align: 'right' },
  { header: 'reordered/dup', align: 'right' },
  { header: 'target', align: 'left' },
];

/** The names the start-up line and the floors refer to. */
const DIRECT = 'direct to file (floor)';
const PRETTY = 'procinit pretty';
const DIRECT_EMPTY = 'direct, 0-line children (floor)';
const PRETTY_EMPTY = 'procinit pretty, 0-line children';

/** The rows, in order; `full` says the children write `--lines` lines, else none. */
const ROWS = [
  { name: DIRECT, format: 'direct', full: true },
  { name: PRETTY, format: 'pretty', full: true, floor: DIRECT, targetRatio: 1.3 },
  { name: 'procinit json', format: 'json', full: true, floor: DIRECT, targetRatio: 2 },
  { name: DIRECT_EMPTY, format: 'direct', full: false },
  { name: PRETTY_EMPTY, format: 'pretty', full: false, floor: DIRECT_EMPTY },
];

async function main() {
  const spec = { runs: 'number', lines: 'number', quick: 'boolean', dir: 'string' };
  const args = parseArgs(process.argv.slice(2), spec, USAGE);
  const runs = args.runs ?? (args.quick ? 3 : 7);
  const lines = args.lines ?? (args.quick ? 25_000 : 250_000);
  const buildWarning = checkBuild();
  const workDir = makeTempDir('output', args.dir);
  const fileSystem = fileSystemOf(workDir);
  console.log(`output throughput: ${TAGS.length} children × ${lines} lines of ${LINE_BYTES} B`);
  console.log(`runs ${runs} per variant (+1 warm-up), files in ${workDir} (${fileSystem})`);
  console.log(describeMachine());
  try {
    const projects = { true: makeProject(workDir, lines), false: makeProject(workDir, 0) };
    const variants = ROWS.map((row) =>
      variant({ ...row, lines: row.full ? lines : 0, project: projects[row.full], outDir: workDir }),
    );
    const samples = await runAlternating(variants, { runs });
    const settings = { runs, lines, dir: args.dir ?? tmpdir(), fileSystem, buildWarning };
    process.exitCode = report(variants, samples, settings) ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Prints the table and the start-up line, writes the results; false if any output was damaged. */
function report(variants, samples, settings) {
  const stats = Object.fromEntries(
    variants.map((v) => [v.name, summarize(samples[v.name].map((s) => s.ms))]),
  );
  const rows = variants.map((v) => tableRow(v, stats[v.name], stats[v.floor], samples[v.name]));
  console.log(`\n${formatTable(COLUMNS, rows)}\n`);
  console.log(startupLine(stats));
  const intact = variants.every((v) => samples[v.name].every(isIntact));
  if (!intact) console.log('INTEGRITY FAILURE: some output was lost, split, merged, reordered or repeated.');
  const file = writeResults('output-throughput', {
    settings: { ...settings, children: TAGS.length, lineBytes: LINE_BYTES },
    variants: variants.map((v) => ({
      name: v.name,
      floor: v.floor,
      targetRatio: v.targetRatio,
      linesPerChild: v.lines,
      ms: stats[v.name],
      ratioToFloor: v.floor ? ratio(stats[v.name].median, stats[v.floor].median) : undefined,
      samples: samples[v.name],
    })),
    intact,
  });
  console.log(`results: ${file}`);
  return intact;
}

/** procinit's own start-up and shutdown, from the 0-line rows, and its share of the pretty row. */
function startupLine(stats) {
  const startup = stats[PRETTY_EMPTY].median;
  const overMs = startup - stats[DIRECT_EMPTY].median;
  const share = ((startup / stats[PRETTY].median) * 100).toFixed(0);
  return (
    `procinit start-up and shutdown (0-line children, start to exit): ${formatMs(startup)} ms, ` +
    `+${formatMs(overMs)} ms over the children alone; that is ${share} % of ${PRETTY}'s median.`
  );
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
