import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readProcEntry } from '../../src/runtime/proc-table.js';

const fixtures = new URL('../fixtures/', import.meta.url);

/** The pids of test/fixtures/setsid-grandchild.mjs's tree. */
export interface FixtureTree {
  root: number;
  child: number;
  middle: number;
  grandchild: number;
  /** Called setsid(): its own session and group, still a descendant of root. */
  escaper: number;
}

/** Processes started by a test, for {@link killLeftovers}. */
const started = new Set<number>();

/**
 * Starts a node fixture in its own process group (detached: setsid) and resolves with the
 * text after `READY ` on its first stdout line, and a reader of its later stdout.
 */
export async function startFixture(
  name: string,
  args: string[] = [],
): Promise<{ process: ChildProcess; ready: string; output: () => string }> {
  const child = spawn(process.execPath, [new URL(name, fixtures).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  if (child.pid !== undefined) started.add(child.pid);
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after 10000 ms waiting for ${name} to print READY`)),
      10_000,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
      else reject(new Error(`${name} printed ${JSON.stringify(line)} instead of READY`));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before READY`)));
  });
  // readline's close() pauses stdout: keep collecting what comes after READY, for output().
  lines.close();
  const after: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => after.push(chunk));
  child.stdout!.resume();
  return { process: child, ready, output: () => Buffer.concat(after).toString() };
}

/** Starts setsid-grandchild.mjs and returns its pids once all five processes run. */
export async function startSetsidTree(): Promise<FixtureTree> {
  const { ready } = await startFixture('setsid-grandchild.mjs');
  const tree = JSON.parse(ready) as FixtureTree;
  for (const pid of Object.values(tree)) started.add(pid);
  return tree;
}

/** Whether `pid` has ended: gone from /proc, or a zombie waiting for its parent. */
export function isDead(pid: number): boolean {
  const entry = readProcEntry(pid);
  return entry === undefined || entry.state === 'Z';
}

/** SIGKILLs every process a test started (pid by pid, not through the code under test). */
export function killLeftovers(): void {
  for (const pid of started) {
    try {
      if (!isDead(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}
