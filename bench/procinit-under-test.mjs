// The procinit a benchmark measures: which file, how it is started, and whether it is older
// than its sources.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './lib.mjs';

/**
 * What `npx procinit` runs: package.json's `bin.procinit` (bin/procinit over dist/, or the
 * bundle dist/procinit.cjs once the build makes one), so the default follows the build.
 */
function defaultProcinit() {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.procinit;
  return join(REPO_ROOT, bin ?? 'bin/procinit');
}

/** The procinit measured: `--procinit`, else $BENCH_PROCINIT, else package.json's bin. */
let procinitPath = process.env.BENCH_PROCINIT ? resolve(process.env.BENCH_PROCINIT) : defaultProcinit();

/** Measures another procinit (a bundle, a single binary, another checkout) instead. */
export function selectProcinit(path) {
  procinitPath = resolve(path);
}

/** The path of the procinit measured, for reports. */
export function procinitUnderTest() {
  return procinitPath;
}

/**
 * The argv that starts procinit with `args`. A JavaScript file, or a script whose first line
 * names node (bin/procinit), runs under this very node: the same runtime as every Node floor,
 * and no `env` PATH search in the figures. Anything else (a single executable) runs as is.
 */
export function procinitArgv(args = []) {
  const runsUnderNode = /\.[cm]?js$/.test(procinitPath) || /^#!.*\bnode\b/.test(firstLine(procinitPath));
  return runsUnderNode ? [process.execPath, procinitPath, ...args] : [procinitPath, ...args];
}

function firstLine(path) {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(128);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('latin1', 0, length).split('\n')[0];
  } finally {
    closeSync(fd);
  }
}

/**
 * Stops when the procinit measured is missing, and warns (returning the warning, for the results
 * file) when a file of its checkout's src/ is newer than it: a benchmark of an old build measures
 * old code. Only a warning: a source edited mid-run should not void a run. The checkout is the
 * directory above the file's own (bin/procinit, dist/procinit.cjs); for the bin/procinit shim,
 * the build that ages is dist/cli/main.js.
 */
export function checkBuild() {
  const root = dirname(dirname(procinitPath));
  const isShim = procinitPath === join(root, 'bin/procinit');
  const built = isShim ? join(root, 'dist/cli/main.js') : procinitPath;
  const fix = 'run `npm run build` first';
  if (!existsSync(built)) throw new Error(`procinit is not built (no ${built}): ${fix}`);
  const newer = existsSync(join(root, 'src')) ? newestFile(join(root, 'src')) : undefined;
  if (!newer || newer.mtimeMs <= statSync(built).mtimeMs) return undefined;
  const warning = `warning: ${relative(root, built)} is older than ${relative(root, newer.path)}; ${fix}`;
  console.error(warning);
  return warning;
}

function newestFile(dir) {
  let newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}
