import type { ProcessSpec } from '../core/model.js';
import { signalName } from './libc.js';
import type { Reaper } from './reaper.js';
import { fanOutExit, type SpawnOutcome } from './spawner.js';
import { spawnFailureExitCode, spawnInForeground } from './terminal.js';

export { ownsTerminal, reclaimTerminal } from './terminal.js';

/**
 * Starts the single command on procinit's terminal, in the terminal's foreground process group
 * (SPEC §3): libuv does not know this child (posix_spawn), so its exit comes from the reaper.
 */
export function spawnInTerminal(
  spec: ProcessSpec,
  options: { environ: NodeJS.ProcessEnv; reaper: Reaper },
): SpawnOutcome {
  try {
    const child = spawnInForeground(spec.argv, { env: { ...options.environ, ...spec.env }, cwd: spec.cwd });
    const onExit = fanOutExit((listener) =>
      options.reaper.watch(child.pid, ({ code, signal }) =>
        listener(code, signal === null ? null : (signalName(signal) as NodeJS.Signals)),
      ),
    );
    return { ok: true, child: { pid: child.pid, pgid: child.pgid, stdout: null, stderr: null, onExit } };
  } catch (error) {
    const code = spawnFailureExitCode(error);
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: Promise.resolve(`${message} (exit ${code})`) };
  }
}
