import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ProcessSpec, SignalName } from '../core/model.js';

/** How a child's run ended, as Node reports it. */
export type ExitListener = (code: number | null, signal: SignalName | null) => void;

/** A started child: its pid, its output pipes (absent when stdio is inherited), its exit. */
export interface SpawnedChild {
  pid: number;
  pgid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Calls back once, when the program has exited. */
  onExit(listener: ExitListener): void;
}

export interface SpawnOptions {
  /** procinit's own environment, under the process's additions. */
  environ: NodeJS.ProcessEnv;
  /** Single-command mode: the program shares procinit's stdin, stdout and stderr. */
  inheritStdio: boolean;
  /** Run as this uid/gid through Node (only where setpriv is missing: groups are then lost). */
  ids?: { uid: number; gid: number };
}

/**
 * Turns a one-shot exit source into `onExit` for any number of listeners, also late ones: the
 * reaper watches a pid once, and a group's drain is polled once, however many want the exit.
 */
export function fanOutExit(subscribe: (listener: ExitListener) => void): SpawnedChild['onExit'] {
  const listeners: ExitListener[] = [];
  let ended: Parameters<ExitListener> | undefined;
  subscribe((code, signal) => {
    ended = [code, signal];
    for (const listener of listeners.splice(0)) listener(code, signal);
  });
  return (listener) => {
    if (ended) listener(...ended);
    else listeners.push(listener);
  };
}

export type SpawnOutcome = { ok: true; child: SpawnedChild } | { ok: false; reason: Promise<string> };

/**
 * Why a spawn failed, in words a user can act on. Node reports a missing cwd as ENOENT of the
 * program, which sends people hunting for a binary that is there (execa diagnoses it too).
 */
function diagnose(error: NodeJS.ErrnoException, spec: ProcessSpec): string {
  try {
    if (!statSync(spec.cwd).isDirectory()) return `cwd ${spec.cwd} is not a directory`;
  } catch {
    return `cwd ${spec.cwd} does not exist: create it, or fix "cwd" in procinit.yaml`;
  }
  if (error.code === 'ENOENT') return `${spec.argv[0]} was not found (${error.message})`;
  if (error.code === 'EACCES') return `${spec.argv[0]} is not executable (${error.message})`;
  return error.message;
}

/**
 * Starts one process of a spec in a new session: `detached` makes Node call setsid() in the
 * child, so it leads its own session and process group (pgid = pid), as SPEC §4 asks, and a
 * terminal's signals or a group signal to procinit never reach it by accident.
 */
export function spawnProcess(spec: ProcessSpec, options: SpawnOptions): SpawnOutcome {
  const [file, ...args] = spec.argv;
  if (file === undefined) return { ok: false, reason: Promise.resolve('empty command') };
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: { ...options.environ, ...spec.env },
    detached: true,
    stdio: options.inheritStdio ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    ...options.ids,
  });
  if (child.pid === undefined) {
    const reason = new Promise<string>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve(diagnose(error, spec)));
    });
    return { ok: false, reason };
  }
  // Errors after a successful spawn (a failed kill of an already-gone child) are not fatal.
  child.on('error', () => {});
  return {
    ok: true,
    child: {
      pid: child.pid,
      pgid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      onExit: (listener) => child.once('exit', listener),
    },
  };
}
