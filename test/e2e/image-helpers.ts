/**
 * Small helpers of image-python-example.test.ts: python3 from the host, ports, bounded waits,
 * JSON over HTTP, and what /proc says about the processes of the laid-out image.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { freePort } from '../helpers/free-port.js';

export { freePort };

/** The system python3 (the image has one at /usr/local/bin): runnable by any user, unlike pyenv's. */
function systemPython(): string | undefined {
  return ['/usr/local/bin/python3', '/usr/bin/python3'].find(
    (candidate) => spawnSync(candidate, ['-c', 'import sqlite3, http.server']).status === 0,
  );
}

/** The python3 to use; undefined (skip, printing why) when there is none, a failure under CI=true. */
export function requirePython(): string | undefined {
  const python = systemPython();
  if (python === undefined) {
    const why = 'no system python3 with sqlite3 at /usr/local/bin or /usr/bin';
    if (process.env.CI === 'true') throw new Error(`CI=true but this test cannot run: ${why}`);
    console.warn(`skipping: ${why}`);
  }
  return python;
}

/** Resolves with the promise's value, or fails saying what did not happen within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms).unref()),
  ]);
}

export async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** unshare's child once it is the program at `programPath` and PID 1 of the new namespace. */
export function pid1Of(unsharePid: number, programPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').split(' ')[0]);
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return nspid?.split(/\s+/).at(-1) === '1' && cmdline.includes(programPath) ? pid : undefined;
  } catch {
    return undefined; // not started yet
  }
}

/** The real uid of a process, from /proc. */
export function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/**
 * Processes anywhere on the machine whose working directory is under `dir`: what the laid-out
 * image started (the app's processes run in its WORKDIR) and would have left behind.
 */
export function processesUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(`${dir}/`);
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}
