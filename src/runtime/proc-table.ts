/**
 * A snapshot of the process table, read from /proc: slim images have no `ps`, and /proc is
 * what `ps` reads anyway. Parsing and the tree helpers are pure; only `readProcTable` reads.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process, from the first fields of /proc/PID/stat (see proc(5)). */
export interface ProcEntry {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** Session id. */
  sid: number;
  /** One letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, t traced, X dead, I idle. */
  state: string;
  /** The executable's name as the kernel keeps it (at most 15 bytes; may hold spaces and parens). */
  comm: string;
}

/** A process table snapshot. Processes may have ended or started since it was read. */
export type ProcTable = readonly ProcEntry[];

/**
 * Parses one /proc/PID/stat line. The name sits in parentheses and may itself contain spaces
 * and `)` (a process may name itself `a) R 1 (`), so it ends at the LAST `)`: every field
 * after it is a number or the one-letter state, which cannot contain one.
 */
export function parseStatLine(line: string): ProcEntry {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`malformed /proc stat line: ${JSON.stringify(line)}`);
  const pid = Number(line.slice(0, open).trim());
  const [state, ppid, pgid, sid] = line
    .slice(close + 1)
    .trim()
    .split(' ');
  const numbers = [pid, Number(ppid), Number(pgid), Number(sid)];
  if (state === undefined || !/^[A-Za-z]$/.test(state) || !numbers.every(Number.isInteger)) {
    throw new Error(`malformed /proc stat line: ${JSON.stringify(line)}`);
  }
  return {
    pid,
    ppid: Number(ppid),
    pgid: Number(pgid),
    sid: Number(sid),
    state,
    comm: line.slice(open + 1, close),
  };
}

/** Whether an fs error means the process ended while we looked (its /proc directory went away). */
function isVanished(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/**
 * Reads every process visible in `procRoot` (our PID namespace's /proc). Processes that end
 * between the directory listing and the read of their stat file are left out, not an error.
 * Synchronous on purpose: a few hundred small reads take a few ms, and a consistent-as-possible
 * snapshot is worth more than yielding to the event loop in between.
 */
export function readProcTable(procRoot = '/proc'): ProcEntry[] {
  const table: ProcEntry[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcEntry(Number(name), procRoot);
    if (entry) table.push(entry);
  }
  return table;
}

/**
 * The pids of `pid`'s children, from /proc/PID/task/TID/children (one file per thread: a child
 * is listed under the thread that forked it), without reading the whole table: a process with
 * no child has no descendant, and outside a PID namespace the whole table is every process of
 * the host. Undefined when the kernel does not offer these files (CONFIG_PROC_CHILDREN).
 */
export function childPids(pid: number, procRoot = '/proc'): number[] | undefined {
  try {
    const pids: number[] = [];
    for (const task of readdirSync(`${procRoot}/${pid}/task`)) {
      const text = readFileSync(`${procRoot}/${pid}/task/${task}/children`, 'utf8');
      for (const word of text.split(' ')) if (word !== '') pids.push(Number(word));
    }
    return pids;
  } catch {
    return undefined;
  }
}

/**
 * The entries of `pid`'s children only (a table in which every entry's parent is `pid`), read
 * through {@link childPids}; the whole table where the kernel does not list children. For the
 * reaper, whose every SIGCHLD would otherwise read every process of the host.
 */
export function readChildTable(pid: number, procRoot = '/proc'): ProcEntry[] {
  const pids = childPids(pid, procRoot);
  if (pids === undefined) return readProcTable(procRoot);
  const table: ProcEntry[] = [];
  for (const child of pids) {
    const entry = readProcEntry(child, procRoot);
    if (entry) table.push(entry);
  }
  return table;
}

/** Reads one process's stat file, or undefined when there is no such process (any more). */
export function readProcEntry(pid: number, procRoot = '/proc'): ProcEntry | undefined {
  let line: string;
  try {
    line = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch (error) {
    if (isVanished(error)) return undefined;
    throw error;
  }
  return parseStatLine(line.trimEnd());
}

/** Indexes a table by parent pid. */
function childrenByParent(table: ProcTable): Map<number, ProcEntry[]> {
  const byParent = new Map<number, ProcEntry[]>();
  for (const entry of table) {
    const siblings = byParent.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else byParent.set(entry.ppid, [entry]);
  }
  return byParent;
}

/**
 * Every process below `pid` in the parent tree (children, grandchildren, …), parents before
 * their children, without `pid` itself. A process whose parent died was re-parented (to PID 1
 * or a subreaper) and is no longer below it: this is the tree as the kernel sees it now.
 */
export function descendantsOf(table: ProcTable, pid: number): ProcEntry[] {
  const byParent = childrenByParent(table);
  const found: ProcEntry[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  for (let index = 0; index < queue.length; index++) {
    for (const child of byParent.get(queue[index]!) ?? []) {
      // pid 0 is the parent of PID 1 and of kernel threads; guard against cycles all the same.
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The members of process group `pgid`. */
export function groupMembers(table: ProcTable, pgid: number): ProcEntry[] {
  return table.filter((entry) => entry.pgid === pgid);
}

/** The members of session `sid`. */
export function sessionMembers(table: ProcTable, sid: number): ProcEntry[] {
  return table.filter((entry) => entry.sid === sid);
}

/** The direct children of `pid` that have ended and wait to be reaped (state Z). */
export function zombieChildrenOf(table: ProcTable, pid: number): ProcEntry[] {
  return table.filter((entry) => entry.ppid === pid && entry.state === 'Z');
}
