#!/usr/bin/env node
// Runs every benchmark in bench/, one after the other (never in parallel: they would measure
// each other). Passes on --quick and --runs N; flags of one benchmark only (--lines, --dir) are
// given by running that script directly. Exits non-zero if any benchmark failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs, REPO_ROOT } from './lib.mjs';

const USAGE = `usage: node bench/run-all.mjs [--quick] [--runs N]
  --quick    a short version of every benchmark (about a minute in all)
  --runs N   measured runs of each variant in every benchmark`;

const BENCHMARKS = ['output-throughput.mjs', 'sigterm-exit.mjs'];

const args = parseArgs(process.argv.slice(2), { quick: 'boolean', runs: 'number' }, USAGE);
const passed = [...(args.quick ? ['--quick'] : []), ...(args.runs ? ['--runs', String(args.runs)] : [])];
const failed = [];
for (const name of BENCHMARKS) {
  console.log(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bench', name), ...passed], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed.push(`${name} (${result.status ?? result.signal})`);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
