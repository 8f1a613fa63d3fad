#!/usr/bin/env node
// SIGTERM → exit: how long a stop takes when three well-behaved children
// (test/fixtures/signal-reporter.mjs: `READY TAG pid`, exit 0 on SIGTERM) are
//   (a) signalled directly, each with SIGTERM, until the last has exited (the floor);
//   (b) supervised by procinit, which gets the SIGTERM, until procinit has exited;
//   (c) the same with procinit as PID 1 of a new PID namespace (unshare; root only).
// The clock starts just before the kill and stops at the exit that ends the stop; start-up is
// outside it (every run waits for the three READY lines first).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  checkBuild,
  describeMachine,
  exitOf,
  FIXTURES,
  formatMs,
  formatTable,
  killQuietly,
  makeTempDir,
  nowMs,
  PROCINIT_BIN,
  parseArgs,
  runAlternating,
  summarize,
  TIMING_COLUMNS,
  timingCells,
  writeResults,
} from './lib.mjs';

const USAGE = `usage: node bench/sigterm-exit.mjs [--runs N] [--quick]
  --runs N   measured runs of each variant, after one warm-up (default 15; --quick 5)`;

const TAGS = ['a', 'b', 'c'];
const REPORTER = join(FIXTURES, 'signal-reporter.mjs');
/** --kill-child: if unshare dies (a timeout kills it), PID 1 and so the namespace die too. */
const UNSHARE_ARGS = ['--pid', '--fork', '--mount-proc', '--kill-child'];
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
/** Issue 7's target: procinit gone at most this long after the last child. */
const TARGET_OVER_FLOOR_MS = 5;
const env = benchEnv();

/** Resolves with the pids of the first `count` `READY TAG pid` lines on `stream`. */
function readyPids(stream, count, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`${what}: no ${count} READY lines within ${READY_TIMEOUT_MS} ms; got:\n${text}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk) => {
      text += chunk;
      const pids = [...text.matchAll(/READY \S+ (\d+)/g)].map((match) => Number(match[1]));
      if (pids.length < count) return;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.resume(); // keep draining, so a write to a full pipe never stalls the stop
      resolve(pids);
    };
    stream.setEncoding('utf8');
    stream.on('data', onData);
  });
}

/** The floor: the children themselves, each sent SIGTERM, until the last one has exited. */
async function runDirect() {
  const children = TAGS.map((tag) =>
    spawn(process.execPath, [REPORTER, tag], { stdio: ['ignore', 'pipe', 'inherit'], env }),
  );
  const timeoutMs = READY_TIMEOUT_MS + STOP_TIMEOUT_MS;
  const exits = children.map((child) => exitOf(child, { timeoutMs, what: 'reporter exiting' }));
  try {
    await Promise.all(children.map((child) => readyPids(child.stdout, 1, 'reporter')));
    const startedMs = nowMs();
    for (const child of children) child.kill('SIGTERM');
    const results = await Promise.all(exits);
    const ms = nowMs() - startedMs;
    const bad = results.find((result) => result.code !== 0);
    if (bad) throw new Error(`a reporter ended with ${bad.code ?? bad.signal}`);
    return { ms };
  } finally {
    for (const child of children) if (child.exitCode === null) killQuietly(child.pid, 'SIGKILL');
  }
}

/**
 * procinit's pid outside the namespace: unshare's only child, whose NSpid ends in 1 (it is PID 1
 * inside). Read after the READY lines, so procinit has long since exec'd.
 */
function pid1Of(unsharePid) {
  const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8');
  const pid = Number(children.trim().split(' ')[0]);
  const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (nspid?.split(/\s+/).at(-1) !== '1')
    throw new Error(`unshare's child ${pid} is not PID 1 (NSpid ${nspid})`);
  return pid;
}

/** procinit with the three reporters: SIGTERM to procinit, until procinit (or unshare) exits. */
async function runProcinit(project, { asPid1 }) {
  const procinit = [process.execPath, PROCINIT_BIN];
  const [file, ...args] = asPid1 ? ['unshare', ...UNSHARE_ARGS, ...procinit] : procinit;
  const child = spawn(file, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const timeoutMs = READY_TIMEOUT_MS + STOP_TIMEOUT_MS;
  const exited = exitOf(child, { timeoutMs, what: 'procinit exiting after SIGTERM' });
  let childPids = [];
  try {
    childPids = await readyPids(child.stdout, TAGS.length, 'procinit');
    const target = asPid1 ? pid1Of(child.pid) : child.pid;
    const startedMs = nowMs();
    process.kill(target, 'SIGTERM');
    const { code, signal } = await exited;
    const ms = nowMs() - startedMs;
    if (code !== 0) throw new Error(`procinit ended with ${code ?? signal}; stderr:\n${stderr}`);
    return { ms };
  } finally {
    if (child.exitCode === null) {
      killQuietly(child.pid, 'SIGKILL');
      // Outside a namespace the children outlive a killed procinit; inside, --kill-child ends them.
      if (!asPid1) for (const pid of childPids) killQuietly(pid, 'SIGKILL');
    }
  }
}

/** Why the PID 1 row cannot run here, or undefined when it can. */
function pid1Unavailable() {
  if (process.getuid?.() !== 0) return 'not root (unshare --pid needs CAP_SYS_ADMIN)';
  const probe = spawnSync('unshare', [...UNSHARE_ARGS, 'true'], { encoding: 'utf8' });
  if (probe.error) return `unshare cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid fails here: ${probe.stderr.trim()}`;
  return undefined;
}

function makeProject() {
  const dir = makeTempDir('sigterm');
  const quote = (word) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = (tag) => [process.execPath, REPORTER, tag].map(quote).join(' ');
  writeFileSync(join(dir, 'Procfile'), TAGS.map((tag) => `${tag}: ${command(tag)}\n`).join(''));
  writeFileSync(join(dir, 'procinit.yaml'), 'health: { port: 0 }\n');
  return dir;
}

const COLUMNS = [
  { header: 'variant', align: 'left' },
  ...TIMING_COLUMNS,
  { header: '+ms over floor', align: 'right' },
  { header: 'target', align: 'left' },
];

function tableRow(name, stats, floor) {
  if (!floor) return [name, ...timingCells(stats), '', ''];
  const overMs = stats.median - floor.median;
  const verdict = overMs <= TARGET_OVER_FLOOR_MS ? 'ok' : 'OVER';
  return [name, ...timingCells(stats, floor), formatMs(overMs), `≤ +${TARGET_OVER_FLOOR_MS} ms ${verdict}`];
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { runs: 'number', quick: 'boolean' }, USAGE);
  const runs = args.runs ?? (args.quick ? 5 : 15);
  const buildWarning = checkBuild();
  console.log(`SIGTERM → exit: ${TAGS.length} children that exit 0 at once on SIGTERM`);
  console.log(`runs ${runs} per variant (+1 warm-up); ${describeMachine()}`);
  const project = makeProject();
  const floor = 'children signalled directly (floor)';
  const variants = [
    { name: floor, run: runDirect },
    { name: 'procinit', floor, run: () => runProcinit(project, { asPid1: false }) },
  ];
  const skipped = pid1Unavailable();
  if (!skipped)
    variants.push({ name: 'procinit as PID 1', floor, run: () => runProcinit(project, { asPid1: true }) });
  try {
    const samples = await runAlternating(variants, { runs });
    const stats = Object.fromEntries(
      variants.map((v) => [v.name, summarize(samples[v.name].map((s) => s.ms))]),
    );
    const rows = variants.map((v) => tableRow(v.name, stats[v.name], stats[v.floor]));
    console.log(`\n${formatTable(COLUMNS, rows)}\n`);
    if (skipped) console.log(`procinit as PID 1: skipped, ${skipped}`);
    const file = writeResults('sigterm-exit', {
      settings: { runs, children: TAGS.length, targetOverFloorMs: TARGET_OVER_FLOOR_MS, buildWarning },
      variants: variants.map((v) => ({
        name: v.name,
        floor: v.floor,
        ms: stats[v.name],
        samples: samples[v.name],
      })),
      skipped: skipped ? { 'procinit as PID 1': skipped } : {},
    });
    console.log(`results: ${file}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
