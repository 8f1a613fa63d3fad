#!/usr/bin/env node
// Row 8, the health port under load: procinit supervising 10 idle children, its /health hit by
// wrk (2 threads, 50 connections, --latency) on 127.0.0.1. The floor is a bare node:http server
// answering every request with the very bytes procinit's /health answered
// (bench/floors/node-http.cjs). Each run starts the server, warms it up with a short wrk run
// (JIT), then measures; wrk runs on the same 2 cores as the server, as it would in a container.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeFleetProject } from './fleet.mjs';
import { runBenchmark } from './harness.mjs';
import { NODE_HTTP } from './helpers.mjs';
import { COMMON_USAGE } from './options.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, startProcess, stopProcess } from './procs.mjs';
import { clearStamps, waitForEvents } from './stamps.mjs';
import { medianAtLeast, medianAtMost, missingLine, summaryLine, zeroInEveryRun } from './summary.mjs';
import { ensureWrk, runWrk, wrkVersion } from './wrk.mjs';

const USAGE = `usage: node bench/health-load.mjs [--runs N] [--seconds N] [options]
  --runs N          measured wrk runs of each variant (default 5; --quick 1)
  --seconds N       length of each measured wrk run (default 10; --quick 3)
${COMMON_USAGE}`;

const CHILDREN = 10;
const WRK = { threads: 2, connections: 50 };
const WARMUP_S = 1;
const START_TIMEOUT_MS = 20_000;
const TARGET_REQUESTS_PER_S = 10_000;
const TARGET_P99_MS = 5;

const FLOOR = 'bare node:http, same body';
const PROCINIT = `procinit, ${CHILDREN} processes`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port free right now on 127.0.0.1 (the kernel picks it; we close and hand it on). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GETs `url` until it answers 200; resolves with the body. */
async function waitForOk(url, what) {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(url);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status === 200) return body;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${what}: ${url} never answered 200`);
    await sleep(20);
  }
}

/** Warms the server up, then measures it with wrk. */
async function load(url, durationS) {
  await runWrk(url, { ...WRK, durationS: WARMUP_S });
  return runWrk(url, { ...WRK, durationS });
}

async function runProcinit({ project, stamps, durationS, bodyFile }) {
  clearStamps(stamps);
  const port = await freePort();
  const args = ['--health-port', String(port), '--health-host', '127.0.0.1', '-m', `p=${CHILDREN}`];
  const proc = startProcess(procinitArgv(args), {
    cwd: project,
    env: stamps.env,
    timeoutMs: START_TIMEOUT_MS + (WARMUP_S + durationS) * 1000 * 3,
    what: 'procinit',
  });
  let children = [];
  try {
    children = await waitForEvents(stamps, 'start', CHILDREN, {
      timeoutMs: START_TIMEOUT_MS,
      what: 'children',
    });
    const url = `http://127.0.0.1:${port}/health`;
    writeFileSync(bodyFile, await waitForOk(url, 'procinit'));
    const report = await load(url, durationS);
    await stopProcess(proc, { what: 'procinit' });
    return report;
  } finally {
    killLeftovers([proc.pid, ...children.map((stamp) => stamp.pid)]);
  }
}

async function runFloor({ durationS, bodyFile }) {
  const port = await freePort();
  const proc = startProcess([process.execPath, NODE_HTTP, String(port), bodyFile], {
    timeoutMs: START_TIMEOUT_MS + (WARMUP_S + durationS) * 1000 * 3,
    what: 'node-http',
  });
  try {
    const url = `http://127.0.0.1:${port}/health`;
    await waitForOk(url, 'node-http');
    const report = await load(url, durationS);
    await stopProcess(proc, { what: 'node-http' });
    return report;
  } finally {
    killLeftovers([proc.pid]);
  }
}

runBenchmark({
  name: 'health-load',
  title: `row 8, GET /health under wrk (${WRK.threads} threads, ${WRK.connections} connections) with ${CHILDREN} processes supervised`,
  usage: USAGE,
  spec: { seconds: 'number' },
  runs: { full: 5, quick: 1 },
  prepare: ({ args, quick, workDir, stamps }) => {
    const unavailable = ensureWrk();
    if (unavailable) {
      console.log(`skipped: ${unavailable}`);
      const skipped = [
        missingLine({ row: 8, measure: 'GET /health under wrk', variant: PROCINIT, why: unavailable }),
      ];
      return { variants: [], summarize: () => [], skipped };
    }
    const durationS = args.seconds ?? (quick ? 3 : 10);
    const project = makeFleetProject(workDir);
    const bodyFile = join(workDir, 'health-body.json');
    const show = (s) => `${Math.round(s.requestsPerS)} req/s, p99 ${s.p99Ms.toFixed(2)} ms`;
    return {
      // The floor serves the body procinit served: runAlternating starts round 0 with the first
      // variant, so procinit has written it before the floor's first run.
      variants: [
        { name: PROCINIT, run: () => runProcinit({ project, stamps, durationS, bodyFile }), show },
        { name: FLOOR, run: () => runFloor({ durationS, bodyFile }), show },
      ],
      warmup: 0,
      summarize: summarizeLoad,
      settings: { ...WRK, durationS, warmupS: WARMUP_S, children: CHILDREN, wrk: wrkVersion() },
    };
  },
});

function summarizeLoad(samples) {
  const line = (measure, variant, key, unit, options = {}) =>
    summaryLine({ row: 8, measure, variant, unit, values: samples[variant].map((s) => s[key]), ...options });
  const throughput = line('GET /health under wrk: throughput', FLOOR, 'requestsPerS', 'req/s');
  const p99 = line('GET /health under wrk: p99 latency', FLOOR, 'p99Ms', 'ms');
  const errors = (s) => s.non2xx + s.socketErrors;
  return [
    throughput,
    line(throughput.measure, PROCINIT, 'requestsPerS', 'req/s', {
      floor: throughput,
      target: medianAtLeast(TARGET_REQUESTS_PER_S, 'req/s'),
    }),
    p99,
    line(p99.measure, PROCINIT, 'p99Ms', 'ms', { floor: p99, target: medianAtMost(TARGET_P99_MS, 'ms') }),
    summaryLine({
      row: 8,
      measure: 'GET /health under wrk: non-200 answers and socket errors',
      variant: PROCINIT,
      unit: 'count',
      values: samples[PROCINIT].map(errors),
      target: zeroInEveryRun,
    }),
  ];
}
