/**
 * Runs the built procinit as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`)
 * and looks into that namespace from outside, for the pid1-*.test.ts files.
 *
 * How the namespace is observed: unshare forks one child, which execs procinit and is PID 1
 * inside. Its pid outside is in `/proc/<unshare>/task/<unshare>/children`; its `NSpid` status
 * line says `1` inside; and `/proc/<that pid>/root/proc` is the namespace's own /proc (unshare
 * mounted it in the namespace's own mount namespace), so the namespace's processes, with the
 * pids procinit and the fixtures see, can be read from the test without any helper inside.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { type ProcEntry, readProcEntry, readProcTable } from '../../src/runtime/proc-table.js';
import { PROCINIT_BIN, type RunningProcess, start } from '../helpers/procinit.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * unshare by absolute path: spawn() looks a command up on the PATH of the env it is given, and
 * some tests give procinit a PATH where nothing can be found.
 */
export const UNSHARE = (() => {
  const found = spawnSync('/bin/sh', ['-c', 'command -v unshare'], { encoding: 'utf8' });
  return found.stdout.trim() || 'unshare';
})();

/** --kill-child: if unshare is killed (killAll in afterEach), PID 1 and so the namespace die too. */
export const UNSHARE_ARGS = ['--pid', '--fork', '--mount-proc', '--kill-child'] as const;

/** One line of procinit's `--log-format json` output: its own events and its children's lines. */
export interface JsonRecord {
  event?: string;
  proc?: string;
  process?: string;
  stream?: string;
  msg?: string;
  [field: string]: unknown;
}

/** A procinit running as PID 1 of its own PID namespace. */
export interface Pid1Run extends RunningProcess {
  /** unshare's pid, which is also the process group of unshare and procinit (start() detaches). */
  unsharePid: number;
  /** procinit's pid outside the namespace; it is 1 inside. */
  hostPid: number;
  /** The namespace's identity, as `readlink /proc/PID/ns/pid` shows it: `pid:[4026532178]`. */
  pidNamespace: string;
  /** Sends a signal to procinit from outside (PID 1 gets only signals it has a handler for). */
  signal(signal: NodeJS.Signals): void;
  /** The namespace's processes, from its own /proc (namespace pids); empty once it is gone. */
  table(): ProcEntry[];
  /** Every JSON line procinit has printed so far, on stdout and stderr. */
  records(): JsonRecord[];
  /** Whether procinit (the host pid) is still running: not gone, not a zombie. */
  alive(): boolean;
}

/** The first line of `file`, or undefined when it cannot be read (the process is gone). */
function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** unshare's child once it has exec'd procinit and is PID 1 in the new namespace. */
function procinitPid1Of(unsharePid: number): number | undefined {
  const children = readOrUndefined(`/proc/${unsharePid}/task/${unsharePid}/children`);
  const pid = Number(children?.trim().split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const nspid = /^NSpid:\s+(.*)$/m.exec(readOrUndefined(`/proc/${pid}/status`) ?? '')?.[1];
  const cmdline = readOrUndefined(`/proc/${pid}/cmdline`) ?? '';
  return nspid?.split(/\s+/).at(-1) === '1' && cmdline.includes(PROCINIT_BIN) ? pid : undefined;
}

function parseJsonLines(text: string): JsonRecord[] {
  const records: JsonRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as JsonRecord);
    } catch {
      // a line still being written
    }
  }
  return records;
}

/**
 * Starts `unshare … node bin/procinit ARGS` (output captured, killed by killAll) and resolves
 * once procinit is PID 1 of the new namespace.
 */
export async function startPid1(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Pid1Run> {
  const run = start(UNSHARE, [...UNSHARE_ARGS, process.execPath, PROCINIT_BIN, ...args], options);
  const unsharePid = run.child.pid!;
  const hostPid = await waitFor(() => procinitPid1Of(unsharePid), {
    timeoutMs: 10_000,
    what: `procinit to run as PID 1 under unshare (pid ${unsharePid})\n${run.stderr()}`,
  });
  const pidNamespace = readlinkSync(`/proc/${hostPid}/ns/pid`);
  return {
    ...run,
    unsharePid,
    hostPid,
    pidNamespace,
    signal: (signal) => process.kill(hostPid, signal),
    table: () => {
      try {
        return readProcTable(`/proc/${hostPid}/root/proc`);
      } catch {
        return []; // PID 1 is gone, and with it the namespace
      }
    },
    records: () => parseJsonLines(run.stdout() + run.stderr()),
    alive: () => {
      const state = readProcEntry(hostPid)?.state;
      return state !== undefined && state !== 'Z';
    },
  };
}

/** Host pids of every process, anywhere, that is in the PID namespace `pidNamespace`. */
export function processesInNamespace(pidNamespace: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) === pidNamespace) found.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Host processes (not zombies) in process group `pgid`. */
export function liveGroupMembers(pgid: number): ProcEntry[] {
  return readProcTable().filter((entry) => entry.pgid === pgid && entry.state !== 'Z');
}

/** Whether namespace pid `pid` has ended (gone, or a zombie) in a namespace table. */
export function endedIn(table: readonly ProcEntry[], pid: number): boolean {
  const entry = table.find((candidate) => candidate.pid === pid);
  return entry === undefined || entry.state === 'Z';
}

/** A YAML/Procfile-safe absolute command for a node fixture. */
export function nodeCommand(fixture: string, ...args: string[]): string {
  return [process.execPath, fixture, ...args].join(' ');
}
