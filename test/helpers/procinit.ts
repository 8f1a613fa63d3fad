import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

/** The repository root, so tests run the built binary wherever vitest was started. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PROCINIT_BIN = join(REPO_ROOT, 'dist/procinit.cjs');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');

/** A running procinit (or any command) with its output captured as it arrives. */
export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (128+N for a signal) once the process has exited. */
  exited: Promise<number>;
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts a command with output captured; it is killed (with its group) by `killAll`. */
export function start(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<number>((resolveExit) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolveExit(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
  const stdout = () => Buffer.concat(out).toString();
  const stderr = () => Buffer.concat(err).toString();
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForOutput: async (pattern, timeoutMs = 10_000) => {
      const matches = () => {
        const text = stdout() + stderr();
        return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      };
      await waitFor(matches, {
        timeoutMs,
        what: `output matching ${pattern}\n--- output so far:\n${stdout()}${stderr()}`,
      });
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

/** Runs the built procinit binary with the given arguments. */
export function startProcinit(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  return start(process.execPath, [PROCINIT_BIN, ...args], options);
}

/** Kills every process group a test started and has not seen exit. For afterEach. */
export function killAll(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** A fresh directory with the given files (name → content), for one test's Procfile and config. */
export function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'procinit-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
