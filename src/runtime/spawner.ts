import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ProcessSpec } from '../core/model.js';

/** A started child: its pid and its output pipes (absent when stdio is inherited). */
export interface SpawnedChild {
  pid: number;
  pgid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  process: ChildProcess;
}

export interface SpawnOptions {
  /** procinit's own environment, under the process's additions. */
  environ: NodeJS.ProcessEnv;
  /** Single-command mode: the program shares procinit's stdin, stdout and stderr. */
  inheritStdio: boolean;
  /** A new session (setsid) makes the child its own process group leader: signals by group. */
  newSession: boolean;
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
 * Starts one process of a spec. `detached` makes Node call setsid() in the child, so the child
 * leads its own session and process group (pgid = pid), as SPEC §4 asks.
 */
export function spawnProcess(spec: ProcessSpec, options: SpawnOptions): SpawnOutcome {
  const [file, ...args] = spec.argv;
  if (file === undefined) return { ok: false, reason: Promise.resolve('empty command') };
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: { ...options.environ, ...spec.env },
    detached: options.newSession,
    stdio: options.inheritStdio ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    const reason = new Promise<string>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve(diagnose(error, spec)));
    });
    return { ok: false, reason };
  }
  // Errors after a successful spawn (a failed kill of an already-gone child) are not fatal.
  child.on('error', () => {});
  const pgid = options.newSession ? child.pid : process.pid;
  return {
    ok: true,
    child: { pid: child.pid, pgid, stdout: child.stdout, stderr: child.stderr, process: child },
  };
}
