// The summary: one line per figure of issue 7's table (procinit's, and each floor's), with its
// median, spread, floor, ratio, target and verdict. Every benchmark prints its lines and stores
// them in its results as `summary`; run-all prints them all as one table and keeps them in
// bench/results/latest.json.
import { formatCount, formatMs, formatRatio, formatTable, ratio, summarize } from './lib.mjs';

/** How a number of each unit is printed, and the unit's suffix. */
const FORMATS = {
  ms: [formatMs, ' ms'],
  MiB: [(value) => value.toFixed(1), ' MiB'],
  'req/s': [formatCount, ' req/s'],
  '%': [(value) => value.toFixed(2), ' %'],
  count: [(value) => value.toFixed(0), ''],
};

/** A value with its unit: `12.3 ms`. */
export function formatValue(value, unit) {
  const [format, suffix] = FORMATS[unit];
  return Number.isFinite(value) ? `${format(value)}${suffix}` : '—';
}

/** A range with the unit once: `1.20–3.40 ms`. */
function formatRange(min, max, unit) {
  const [format, suffix] = FORMATS[unit];
  return `${format(min)}–${format(max)}${suffix}`;
}

// --- targets -----------------------------------------------------------------------------------
// A target judges a line `{ stats, ratio }`; `text` is what the table shows.

/** The median at most `limit` × the floor's median. */
export const ratioAtMost = (limit) => ({
  text: `≤ ${limit.toFixed(2)}× floor`,
  met: (line) => line.ratio <= limit,
});

/** The median at most `limit`. */
export const medianAtMost = (limit, unit) => ({
  text: `≤ ${formatValue(limit, unit)}`,
  met: (line) => line.stats.median <= limit,
});

/** The median at least `limit`. */
export const medianAtLeast = (limit, unit) => ({
  text: `≥ ${formatValue(limit, unit)}`,
  met: (line) => line.stats.median >= limit,
});

/** Zero in every run (lost lines, zombies, survivors): one bad run is a failure. */
export const zeroInEveryRun = { text: '0 in every run', met: (line) => line.stats.max === 0 };

// --- lines -------------------------------------------------------------------------------------

/**
 * One line of the summary: `values` (one per measured run) summarised, set against `floor` (the
 * line of the floor, when there is one) and judged by `target`. A line other lines use as their
 * floor shows as one; `isFloor` marks a floor that none uses. Serialisable as it is.
 */
export function summaryLine({ row, measure, variant, unit, values, floor, target, note, isFloor }) {
  const stats = summarize(values);
  const line = { row, measure, variant, unit, stats, values };
  if (isFloor) line.isFloor = true;
  if (floor) {
    line.floor = { measure: floor.measure, variant: floor.variant, median: floor.stats.median };
    line.ratio = ratio(stats.median, floor.stats.median);
  }
  if (target) {
    line.target = target.text;
    line.pass = target.met(line);
  }
  if (note) line.note = note;
  return line;
}

const COLUMNS = [
  { header: 'row', align: 'right' },
  { header: 'measure', align: 'left' },
  { header: 'variant', align: 'left' },
  { header: 'runs', align: 'right' },
  { header: 'median', align: 'right' },
  { header: 'min–max', align: 'right' },
  { header: 'floor median', align: 'right' },
  { header: '× floor', align: 'right' },
  { header: 'target', align: 'left' },
  { header: 'verdict', align: 'left' },
];

const key = (row, measure, variant) => `${row}|${measure}|${variant}`;

function verdict(line, floors) {
  if (line.pass !== undefined) return line.pass ? 'PASS' : 'FAIL';
  return line.isFloor || floors.has(key(line.row, line.measure, line.variant)) ? 'floor' : '';
}

function cells(line, floors) {
  const { stats, unit } = line;
  return [
    String(line.row),
    line.measure,
    line.variant,
    String(stats.n),
    formatValue(stats.median, unit),
    formatRange(stats.min, stats.max, unit),
    line.floor ? formatValue(line.floor.median, unit) : '',
    line.floor ? formatRatio(line.ratio) : '',
    line.target ?? '',
    verdict(line, floors),
  ];
}

/**
 * A line for a figure that could not be measured: `why` it was skipped here (no root, no wrk),
 * or, with `error`, why its benchmark failed.
 */
export function missingLine({ row, measure, variant, why, error = false }) {
  return { row, measure, variant, [error ? 'error' : 'skipped']: why };
}

function missingCells(line) {
  const why = line.error ? `failed: ${line.error}` : `skipped: ${line.skipped}`;
  const cells = [String(line.row), line.measure, `${line.variant}, ${why}`];
  return [...cells, '', '', '', '', '', '', line.error ? 'ERROR' : 'SKIP'];
}

/** The summary as a Markdown table, missing lines ({@link missingLine}) included. */
export function formatSummary(lines) {
  const floors = new Set(
    lines.filter((line) => line.floor).map((line) => key(line.row, line.floor.measure, line.floor.variant)),
  );
  const rows = lines.map((line) => (line.skipped || line.error ? missingCells(line) : cells(line, floors)));
  return formatTable(COLUMNS, rows);
}

/** The notes of the lines that have one, one per line under the table. */
export function formatNotes(lines) {
  return lines
    .filter((line) => line.note)
    .map((line) => `- row ${line.row}, ${line.variant}: ${line.note}`)
    .join('\n');
}
