// Checks an output file of bench/output-throughput.mjs: did every line each writing child wrote
// arrive exactly once, whole, and in that child's order?
//
// A child line (helper lines, test/fixtures/chatty.mjs) is `<tag> stdout <seq, 8 digits> xxx…`, LINE_BYTES long with its newline. A line
// that is cut (split) or glued to another (merged) no longer has that exact shape, so it counts as
// broken; a whole line tells its child and number, so lost, duplicated and reordered lines are
// counted too. procinit's own lines (`procinit | …`, `"proc":"procinit"`) are skipped.

const CHILD_LINE = /^(\S+) stdout (\d{8}) x*$/;

/**
 * How one line of a format is read: `{ proc, stream, text }` of a child's line, `null` for
 * procinit's own, `undefined` when the line cannot be read at all (it is broken).
 */
const READERS = {
  // The children wrote the file themselves: the tag inside the line is the only name.
  direct: (line) => ({ proc: line.slice(0, line.indexOf(' ')), stream: 'stdout', text: line }),
  pretty: (line) => {
    const bar = line.indexOf(' | ');
    if (bar < 0) return undefined;
    const proc = line.slice(0, bar).trimEnd();
    return proc === 'procinit' ? null : { proc, stream: 'stdout', text: line.slice(bar + 3) };
  },
  json: (line) => {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (record.proc === 'procinit') return null;
    return typeof record.msg === 'string'
      ? { proc: record.proc, stream: record.stream, text: record.msg }
      : undefined;
  },
};

/**
 * Counts, for `buffer` in `format` ('direct', 'pretty' or 'json'): `lost` (never arrived whole),
 * `broken` (split or merged: not a whole child line), `outOfOrder`, `duplicated`, and
 * `procinitLines`. `procOf` maps each tag to the name the format shows (`c1` → `c1.1`).
 */
export function checkOutput(buffer, { format, tags, procOf, linesPerChild, lineBytes }) {
  const read = READERS[format];
  const children = new Map(
    tags.map((tag) => [procOf(tag), { tag, next: 1, seen: new Uint8Array(linesPerChild + 1) }]),
  );
  const counts = { lost: 0, broken: 0, outOfOrder: 0, duplicated: 0, procinitLines: 0 };
  for (let start = 0; start < buffer.length; ) {
    const newline = buffer.indexOf(10, start);
    const end = newline < 0 ? buffer.length : newline;
    const entry = read(buffer.toString('latin1', start, end));
    start = end + 1;
    if (entry === null) counts.procinitLines++;
    else countLine(entry, children, counts, lineBytes);
  }
  for (const child of children.values()) {
    for (let seq = 1; seq <= linesPerChild; seq++) if (child.seen[seq] === 0) counts.lost++;
  }
  return counts;
}

function countLine(entry, children, counts, lineBytes) {
  const child = entry === undefined ? undefined : children.get(entry.proc);
  const match = child && entry.text.length === lineBytes - 1 ? CHILD_LINE.exec(entry.text) : null;
  const seq = match ? Number(match[2]) : 0;
  if (!match || match[1] !== child.tag || entry.stream !== 'stdout' || seq < 1 || seq >= child.seen.length) {
    counts.broken++;
    return;
  }
  if (child.seen[seq] === 1) counts.duplicated++;
  // A gap (seq past next) is a loss, counted at the end; an earlier seq came after a later one.
  else if (seq < child.next) counts.outOfOrder++;
  child.seen[seq] = 1;
  child.next = Math.max(child.next, seq + 1);
}

/** True when nothing was lost, broken, reordered or repeated. */
export function isIntact(counts) {
  return counts.lost === 0 && counts.broken === 0 && counts.outOfOrder === 0 && counts.duplicated === 0;
}
