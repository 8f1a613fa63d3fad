// What the benchmarks read from /proc about a process measured from outside: its memory, its
// CPU time, its children, its zombies, and which pid a PID namespace's PID 1 has out here.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ; 100 nearly always). */
export const CLOCK_TICKS_PER_S = Number(
  execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
);

/** A `Name: value kB` field of /proc/PID/status, in MiB (VmRSS, VmHWM…). */
export function statusMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  if (kB === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kB) / 1024;
}

/**
 * The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses, so
 * it ends at the last `)`): index 0 is the state, 1 the ppid, 11 utime, 12 stime (proc(5)).
 */
function statFields(pid) {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return line.slice(line.lastIndexOf(')') + 2).split(' ');
}

/** CPU time the whole process (every thread) has used, user and system, in ms. */
export function cpuTimeMs(pid) {
  const fields = statFields(pid);
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1000;
}

/**
 * CPU time of every thread, from /proc/PID/task/TID/schedstat (time on a CPU, in ns): the same
 * quantity as {@link cpuTimeMs} without its 10 ms ticks, which a short window of a nearly idle
 * process needs. A thread that ended while being read is left out.
 */
export function preciseCpuTimeMs(pid) {
  let totalNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      totalNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return totalNs / 1e6;
}

/** Every process as `{ pid, ppid, state }`; those that end while the table is read are left out. */
export function processTable() {
  const table = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [state, ppid] = statFields(name);
      table.push({ pid: Number(name), ppid: Number(ppid), state });
    } catch {
      // ended between the listing and the read
    }
  }
  return table;
}

/** The processes below `rootPid` (children, their children…), not `rootPid` itself. */
export function descendantsOf(rootPid, table = processTable()) {
  const childrenOf = new Map();
  for (const entry of table) {
    if (!childrenOf.has(entry.ppid)) childrenOf.set(entry.ppid, []);
    childrenOf.get(entry.ppid).push(entry);
  }
  const found = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Zombies among the descendants of `rootPid`. */
export function zombiesBelow(rootPid) {
  return descendantsOf(rootPid).filter((entry) => entry.state === 'Z');
}

/** The pids of a process's children, from the kernel's own list (no /proc walk). */
export function childPids(pid) {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

/**
 * The pid, out here, of the PID 1 that `unshare --fork` started: unshare's only child, whose
 * NSpid ends in 1 (it is PID 1 inside).
 */
export function pid1Of(unsharePid) {
  const [pid] = childPids(unsharePid);
  if (pid === undefined) throw new Error(`unshare ${unsharePid} has no child yet`);
  const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (nspid?.split(/\s+/).at(-1) !== '1')
    throw new Error(`unshare's child ${pid} is not PID 1 (NSpid ${nspid})`);
  return pid;
}
