// The tiny C children of the benchmarks (bench/helpers/*.c), built on first use and cached by the
// hash of their source, so an edited source is rebuilt and an unchanged one costs nothing. C,
// because a floor made of Node children would measure Node's start-up and not procinit's cost.
// The cache is bench/results/.build: git-ignored with the results, and never stale (the hash is
// in the file name).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RESULTS_DIR } from './lib.mjs';

const SOURCE_DIR = join(REPO_ROOT, 'bench/helpers');
const BUILD_DIR = join(RESULTS_DIR, '.build');
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11'];

/** The Node floors: minimal Node programs doing a supervisor's least (bench/floors). */
export const NODE_PARENT = join(REPO_ROOT, 'bench/floors/node-parent.cjs');
export const NODE_HTTP = join(REPO_ROOT, 'bench/floors/node-http.cjs');
export const NODE_RELAY = join(REPO_ROOT, 'bench/floors/node-relay.cjs');

const built = new Map();

/**
 * The path of helper `name` (bench/helpers/NAME.c), compiling it first when its source (or a
 * header it may include, or the flags) changed since the cached build.
 */
export function helper(name) {
  const cached = built.get(name);
  if (cached) return cached;
  const source = join(SOURCE_DIR, `${name}.c`);
  const binary = join(BUILD_DIR, `${name}-${sourceHash(source)}`);
  if (!existsSync(binary)) compile(source, binary, name);
  built.set(name, binary);
  return binary;
}

/** Builds every helper now, so no compile lands inside a measured run. */
export function buildHelpers() {
  for (const file of readdirSync(SOURCE_DIR)) if (file.endsWith('.c')) helper(file.slice(0, -2));
}

function sourceHash(source) {
  const hash = createHash('sha256').update(CFLAGS.join(' ')).update(readFileSync(source));
  for (const header of readdirSync(SOURCE_DIR)
    .filter((file) => file.endsWith('.h'))
    .sort())
    hash.update(readFileSync(join(SOURCE_DIR, header)));
  return hash.digest('hex').slice(0, 12);
}

/** gcc into a temporary name, then rename: a half-written binary is never taken for a build. */
function compile(source, binary, name) {
  mkdirSync(BUILD_DIR, { recursive: true });
  const previous = new RegExp(`^${name}-[0-9a-f]{12}$`);
  for (const old of readdirSync(BUILD_DIR)) if (previous.test(old)) rmSync(join(BUILD_DIR, old));
  const partial = `${binary}.partial-${process.pid}`;
  try {
    execFileSync('gcc', [...CFLAGS, '-o', partial, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    const why = error.code === 'ENOENT' ? 'gcc is not installed (apt-get install gcc)' : error.message;
    throw new Error(`cannot build bench helper ${name}: ${why}`);
  }
  renameSync(partial, binary);
}
