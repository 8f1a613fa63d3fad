// A fleet: a supervisor (procinit, or the minimal Node parent) holding COUNT idle children
// (helper idle), measured from outside once all of them run: how long they took to start, the
// supervisor's memory, its CPU use while nothing happens. Rows 2 (memory) and 9 (500 processes).
import { helper, NODE_PARENT } from './helpers.mjs';
import { cpuTimeMs, preciseCpuTimeMs, statusMiB } from './procfs.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { killLeftovers, startProcess, stopProcess } from './procs.mjs';
import { makeProject } from './project.mjs';
import { clearStamps, readStamps, stampsOf, waitForEvents } from './stamps.mjs';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A project with one process type of idle children; `-m p=COUNT` sets how many. */
export function makeFleetProject(workDir) {
  return makeProject('fleet', { processes: { p: [helper('idle'), 'p'] } }, workDir);
}

/** The argv of each supervisor for `count` idle children. */
const SUPERVISORS = {
  procinit: (count) => procinitArgv(['--health-port', '0', '-m', `p=${count}`]),
  node: (count) => [process.execPath, NODE_PARENT, String(count), helper('idle'), 'p'],
};

/**
 * One run: starts `supervisor` with `count` children through exec-stamp, waits until every child
 * has stamped its start, waits `settleMs`, reads the supervisor's VmRSS (and VmHWM), then its
 * CPU time over `cpuWindowMs` (when given), and stops it. Resolves with
 * `{ allRunningMs, rssMiB, hwmMiB, cpuPercent, preciseCpuPercent }`; allRunningMs runs from the
 * exec; cpuPercent is from /proc/PID/stat (10 ms ticks), preciseCpuPercent from schedstat (ns).
 */
export async function runFleet({ supervisor, count, project, stamps, settleMs, cpuWindowMs }) {
  clearStamps(stamps);
  const what = `${supervisor} with ${count} children`;
  const proc = startProcess([helper('exec-stamp'), ...SUPERVISORS[supervisor](count)], {
    cwd: project,
    env: stamps.env,
    timeoutMs: START_TIMEOUT_MS + STOP_TIMEOUT_MS + settleMs + (cpuWindowMs ?? 0),
    what,
  });
  let started = [];
  try {
    started = await waitForEvents(stamps, 'start', count, {
      timeoutMs: START_TIMEOUT_MS,
      what: `${what}: all started`,
    });
    const [exec] = stampsOf(readStamps(stamps), 'exec');
    const allRunningMs = Math.max(...started.map((stamp) => stamp.ms)) - exec.ms;
    await sleep(settleMs);
    const sample = {
      allRunningMs,
      rssMiB: statusMiB(proc.pid, 'VmRSS'),
      hwmMiB: statusMiB(proc.pid, 'VmHWM'),
    };
    if (cpuWindowMs) Object.assign(sample, await cpuPercent(proc.pid, cpuWindowMs));
    await stopProcess(proc, { what });
    return sample;
  } finally {
    killLeftovers([proc.pid, ...started.map((stamp) => stamp.pid)]);
  }
}

/** CPU time used over a window ÷ the window, in % of one core, by both clocks. */
async function cpuPercent(pid, windowMs) {
  const before = { ticks: cpuTimeMs(pid), precise: preciseCpuTimeMs(pid), wall: performance.now() };
  await sleep(windowMs);
  const wallMs = performance.now() - before.wall;
  return {
    cpuPercent: ((cpuTimeMs(pid) - before.ticks) / wallMs) * 100,
    preciseCpuPercent: ((preciseCpuTimeMs(pid) - before.precise) / wallMs) * 100,
  };
}
