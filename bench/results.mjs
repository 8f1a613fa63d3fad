// The results files: every sample of a benchmark with what a reader needs to compare two runs
// (the machine, its load, the commit, the procinit measured).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, RESULTS_DIR } from './lib.mjs';
import { procinitUnderTest } from './procinit-under-test.mjs';

/** The load when the benchmark started: the machine is shared, and this says how busy it was. */
const LOAD_AT_START = os.loadavg();

/** One line for the top of a report: versions and how busy the machine is. */
export function describeMachine() {
  const load = LOAD_AT_START.map((value) => value.toFixed(2)).join(' ');
  return `node ${process.version}, ${os.cpus().length} CPUs, load average ${load}`;
}

/** What a reader needs to compare two result files: versions, machine, load, commit. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: { atStart: LOAD_AT_START, atEnd: os.loadavg() },
    uid: process.getuid?.(),
    git: gitState(),
  };
}

function gitState() {
  try {
    const git = (...args) =>
      execFileSync('git', args, {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain') !== '' };
  } catch {
    return undefined;
  }
}

/** Now as `2026-11-25T12:00:00Z`, for result files and their names. */
export function isoSecond() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes the results to `path`, or to `bench/results/<name>-<date>.json` (the directory is
 * git-ignored and created here), with the machine and the procinit measured; returns the path.
 */
export function writeResults(name, data, path) {
  const date = isoSecond();
  const file = path ?? join(RESULTS_DIR, `${name}-${date.replaceAll(':', '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const body = { benchmark: name, date, machine: machineInfo(), procinit: procinitUnderTest(), ...data };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
