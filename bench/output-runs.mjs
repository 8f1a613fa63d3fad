// How row 3's variants run: the writing children alone, writing one file (the floor); a
// supervisor (procinit, or the minimal Node relay) whose stdout is that file. Each resolves with
// the time from the first spawn to the last exit, in ms.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { helper, NODE_RELAY } from './helpers.mjs';
import { exitOf, FIXTURES, nowMs } from './lib.mjs';
import { procinitArgv } from './procinit-under-test.mjs';
import { makeProject } from './project.mjs';

export const TAGS = ['c1', 'c2', 'c3', 'c4'];
export const LINE_BYTES = 100;
const RUN_TIMEOUT_MS = 300_000;

/** The argv of one writing child. */
export const CHILDREN = {
  c: (tag, lines) => [helper('lines'), tag, String(lines), String(LINE_BYTES)],
  node: (tag, lines) => [
    process.execPath,
    join(FIXTURES, 'chatty.mjs'),
    ...['--count', String(lines), '--size', String(LINE_BYTES), '--tag', tag],
  ],
};

/** A project directory: 4 writers that run once (restart: never), so procinit exits. */
export function makeOutputProject(base, childArgv, lines) {
  const processes = Object.fromEntries(TAGS.map((tag) => [tag, childArgv(tag, lines)]));
  const config = ['processes:', ...TAGS.map((tag) => `  ${tag}: { restart: never }`)];
  return makeProject(`output-${lines}`, { processes, config }, base);
}

/** The floor: the children write the file themselves; the clock runs from spawn to last exit. */
async function runDirect(outFile, childArgv, lines, env) {
  const fds = TAGS.map(() => openSync(outFile, 'a'));
  try {
    const startedMs = nowMs();
    const exits = TAGS.map((tag, i) => {
      const [file, ...args] = childArgv(tag, lines);
      const child = spawn(file, args, { stdio: ['ignore', fds[i], 'inherit'], env });
      return exitOf(child, { timeoutMs: RUN_TIMEOUT_MS, what: `writer ${tag} exiting` });
    });
    const results = await Promise.all(exits);
    const ms = nowMs() - startedMs;
    const bad = results.find((result) => result.code !== 0);
    if (bad) throw new Error(`a writer ended with ${bad.code ?? bad.signal}`);
    return ms;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** A supervisor (`argv`), its stdout the file; the clock runs from spawn to its exit. */
async function runSupervisor(argv, { cwd, outFile, env, what }) {
  const errFile = `${outFile}.stderr`;
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  try {
    const [file, ...args] = argv;
    const startedMs = nowMs();
    const child = spawn(file, args, { cwd, stdio: ['ignore', out, err], env });
    const { code, signal } = await exitOf(child, { timeoutMs: RUN_TIMEOUT_MS, what: `${what} exiting` });
    const ms = nowMs() - startedMs;
    if (code !== 0) {
      const stderr = readFileSync(errFile, 'utf8').slice(-2000);
      throw new Error(`${what} ended with ${code ?? signal} in ${cwd}; stderr:\n${stderr}`);
    }
    return ms;
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(errFile, { force: true });
  }
}

/** How each format's variant runs: the children alone, the Node relay, or procinit. */
export function runVariant({ format, lines, project, outFile, childArgv, env }) {
  if (format === 'direct') return runDirect(outFile, childArgv, lines, env);
  if (format === 'relay') {
    const argv = [process.execPath, NODE_RELAY, String(TAGS.length), ...childArgv('c%i', lines)];
    return runSupervisor(argv, { cwd: project, outFile, env, what: 'node-relay' });
  }
  const argv = procinitArgv(['--log-format', format, '--health-port', '0']);
  return runSupervisor(argv, { cwd: project, outFile, env, what: 'procinit' });
}
