import { spawn, spawnSync } from 'node:child_process';
import { killTree } from '../../src/runtime/kill-tree.js';

/**
 * Whether util-linux `script` (a pseudo-terminal for a command) is here. Like the gates in
 * test/helpers/capabilities.ts: skip with a printed reason, but fail under CI=true.
 */
export function requireScript(): { skip: boolean } {
  const probe = spawnSync('script', ['--version'], { stdio: 'ignore' });
  if (!probe.error && probe.status === 0) return { skip: false };
  const reason = `util-linux script is not available: ${probe.error?.message ?? `exit ${probe.status}`}`;
  if (process.env.CI === 'true') throw new Error(`CI=true but this test cannot run: ${reason}`);
  console.warn(`skipping: ${reason}`);
  return { skip: true };
}

/** Something to type on the terminal once the output so far contains `after`. */
export interface Keystroke {
  after: string;
  type: string;
}

export interface PtyRun {
  /** Everything the terminal showed, with the terminal's \r\n turned into \n. */
  output: string;
  code: number | null;
}

/**
 * Runs `command` (a shell command line) on a new pseudo-terminal, as its session's controlling
 * terminal, typing `keystrokes` as their cue appears. script's stdin stays open until the end:
 * script ends the session when it reads EOF there.
 */
export function runOnPty(command: string, keystrokes: Keystroke[] = [], timeoutMs = 20_000): Promise<PtyRun> {
  const script = spawn('script', ['-qec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  let output = '';
  const pending = [...keystrokes];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (script.pid !== undefined) killTree(script.pid, { pgid: script.pid });
      reject(new Error(`timed out after ${timeoutMs} ms running ${command} on a pty; it showed:\n${output}`));
    }, timeoutMs);
    script.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString().replaceAll('\r\n', '\n');
      while (pending[0] && output.includes(pending[0].after)) script.stdin!.write(pending.shift()!.type);
    });
    script.once('error', reject);
    script.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}
