// Shared helpers of the benchmarks in bench/: paths, arguments, statistics, running variants in
// alternation, tables, and the small process and file-system helpers. Each benchmark is a list of
// variants (a floor and what is compared with it); a new row is a new variant, not a new harness.
import { mkdtempSync, statfsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository, found from this file so the scripts run from any directory or checkout. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');
export const RESULTS_DIR = join(REPO_ROOT, 'bench/results');

/** Milliseconds from a monotonic clock. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// --- arguments ---------------------------------------------------------------------------------

/**
 * Parses `--name value` options and `--flag` switches. `spec` maps each name to 'number' (a
 * positive integer), 'string' or 'boolean'. Only the options given are in the result, so a script
 * can tell "not given" from a default (`--quick` changes defaults, an explicit `--runs` wins).
 */
export function parseArgs(argv, spec, usage) {
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const type = name === undefined ? undefined : spec[name];
    if (type === undefined) fail(`unknown argument ${arg}`, usage);
    if (type === 'boolean') {
      given[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) fail(`${arg} needs a value`, usage);
    if (type === 'number' && !/^[0-9]+$/.test(value)) fail(`${arg} ${value}: expected a whole number`, usage);
    given[name] = type === 'number' ? Number(value) : value;
  }
  return given;
}

function fail(message, usage) {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

// --- statistics --------------------------------------------------------------------------------

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Count, median, min and max of a list of numbers. */
export function summarize(values) {
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** value / floor; NaN when there is no floor to compare with. */
export function ratio(value, floor) {
  return floor > 0 ? value / floor : Number.NaN;
}

// --- running -----------------------------------------------------------------------------------

/**
 * Runs every variant `runs` times in rounds: each round runs each variant once, starting one
 * further along the list each time, so a drift in the machine's load touches every variant alike
 * and none always runs first (or right after the heaviest one). `warmup` rounds run first and are
 * dropped (file cache, compile cache). A variant is `{ name, run, show? }`; `run()` resolves to a
 * sample `{ ms, ...details }`, and `show(sample)` says what the progress line prints of it (by
 * default its `ms`). Returns the samples of each variant by name.
 */
export async function runAlternating(variants, { runs, warmup = 1 }) {
  const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]));
  const rounds = warmup + runs;
  const width = Math.max(...variants.map((variant) => variant.name.length));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(round + i) % variants.length];
      const sample = await variant.run();
      const label = round < warmup ? 'warm-up' : `run ${round - warmup + 1}/${runs}`;
      const shown = variant.show ? variant.show(sample) : `${formatMs(sample.ms)} ms`;
      process.stderr.write(`  ${label.padEnd(9)} ${variant.name.padEnd(width)} ${shown}\n`);
      if (round >= warmup) samples[variant.name].push(sample);
    }
  }
  return samples;
}

// --- formatting --------------------------------------------------------------------------------

/** Milliseconds with the precision that matters at their size. */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** A ratio as `1.18×`. */
export function formatRatio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

/** 1234567 as `1.23 M`, 12345 as `12.3 k`. */
export function formatCount(value) {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

/**
 * A Markdown table with aligned columns, so it reads in a terminal and pastes into a README.
 * `columns` are `{ header, align: 'left' | 'right' }`; `rows` are arrays of strings.
 */
export function formatTable(columns, rows) {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => row[i].length)),
  );
  const cell = (text, i) =>
    columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (columns[i].align === 'right' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join('\n');
}

/** The columns every benchmark table starts with after the variant's name. */
export const TIMING_COLUMNS = [
  { header: 'median ms', align: 'right' },
  { header: 'min–max ms', align: 'right' },
  { header: '× floor', align: 'right' },
];

/** Cells for {@link TIMING_COLUMNS}: a row without `floor` is a floor itself. */
export function timingCells(stats, floor) {
  const range = `${formatMs(stats.min)}–${formatMs(stats.max)}`;
  return [formatMs(stats.median), range, floor ? formatRatio(ratio(stats.median, floor.median)) : 'floor'];
}

/** The environment for procinit and the children: no PROCINIT_* settings leak in, no colour. */
export function benchEnv() {
  const env = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key.startsWith('PROCINIT_') || key === 'FORCE_COLOR') delete env[key];
  return env;
}

/** A fresh directory under `base` (default: the OS temp dir). */
export function makeTempDir(prefix, base = os.tmpdir()) {
  return mkdtempSync(join(base, `procinit-bench-${prefix}-`));
}

const FILE_SYSTEMS = {
  16914836: 'tmpfs',
  61267: 'ext2/3/4',
  2035054128: 'overlayfs',
  2435016766: 'btrfs',
  1481003842: 'xfs',
};

/** The file system a path is on (tmpfs, ext4…): writing to tmpfs costs no disk I/O. */
export function fileSystemOf(path) {
  const { type } = statfsSync(path);
  return FILE_SYSTEMS[type] ?? `type 0x${type.toString(16)}`;
}

/**
 * Resolves with `{ code, signal }` when `child` exits; after `timeoutMs` kills it and rejects,
 * saying `what` never happened. Already marked as handled, so it can be awaited later.
 */
export function exitOf(child, { timeoutMs, what }) {
  const exited = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killQuietly(child.pid, 'SIGKILL');
      reject(new Error(`${what} did not happen within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  exited.catch(() => {});
  return exited;
}

/** process.kill that ignores a process already gone. */
export function killQuietly(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}
