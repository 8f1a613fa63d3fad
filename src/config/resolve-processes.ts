import { resolve } from 'node:path';
import type { BackoffSpec, ProcessSpec, SignalTarget } from '../core/model.js';
import type { ProblemDetails } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { formatDuration } from './duration.js';
import type { ConfigFile } from './load-config-file.js';
import type { ProcessType } from './process-types.js';
import { resolveProbe } from './resolve-preflight.js';
import { isSimpleCommand, shellArgv } from './shell-command.js';

/** What every process of a run shares, already resolved. */
export interface ProcessContext {
  /** Env-file variables that procinit's environment does not set (SPEC §2.2: never override). */
  baseEnv: Readonly<Record<string, string>>;
  /** The working directory of processes without `cwd:`. */
  cwd: string;
  /** The directory relative `cwd:` values are taken from (procinit.yaml's). */
  configDir: string;
  defaultUser: string | undefined;
  shutdownTimeoutMs: number;
  /** foreman's --port base, if given. */
  basePort: number | undefined;
  config: ConfigFile | undefined;
}

/** Backoff with defaults; an initial delay above the maximum is a problem, not clamped. */
function resolveBackoff(type: ProcessType, ctx: ProcessContext, problems: ProblemDetails[]): BackoffSpec {
  const backoff = type.options.backoff ?? {};
  const spec: BackoffSpec = {
    initialMs: backoff.initial ?? DEFAULTS.backoff.initialMs,
    maxMs: backoff.max ?? DEFAULTS.backoff.maxMs,
    resetAfterMs: backoff.reset_after ?? DEFAULTS.backoff.resetAfterMs,
  };
  if (spec.initialMs > spec.maxMs) {
    const path = ['processes', type.name, 'backoff'];
    problems.push({
      code: 'config.invalid-value',
      what:
        `processes.${type.name}.backoff: expected initial ≤ max, ` +
        `found initial ${formatDuration(spec.initialMs)} and max ${formatDuration(spec.maxMs)}`,
      fix: 'lower initial or raise max (default max: 30s)',
      ...(ctx.config ? { where: ctx.config.locate(path) } : {}),
    });
  }
  return spec;
}

/** `auto` (the default): the program's own pid for a simple command, else the group (SPEC §5). */
function signalTargetOf(target: 'auto' | SignalTarget | undefined, simple: boolean): SignalTarget {
  if (target === undefined || target === 'auto') return simple ? 'process' : 'group';
  return target;
}

/** The variables one instance adds to procinit's environment, lowest precedence first. */
function instanceEnv(type: ProcessType, instance: number, ctx: ProcessContext): Record<string, string> {
  const env = new Map(Object.entries(ctx.baseEnv));
  for (const [name, value] of Object.entries(type.options.env ?? {})) env.set(name, value);
  if (ctx.basePort !== undefined) env.set('PORT', String(ctx.basePort + 100 * type.index + instance - 1));
  env.set('PROCINIT_PROCESS', `${type.name}.${instance}`);
  env.set('PROCINIT_INSTANCE', String(instance));
  return Object.fromEntries(env);
}

/**
 * The ProcessSpecs of one type, one per instance (`worker.1`, `worker.2`). `dependsOn` is
 * given already filtered to the types that run, so that `--only worker` does not leave worker
 * waiting for ever on a web that will never start.
 */
export function expandInstances(
  type: ProcessType,
  instances: number,
  dependsOn: ProcessSpec['dependsOn'],
  ctx: ProcessContext,
  problems: ProblemDetails[],
): ProcessSpec[] {
  const options = type.options;
  const simple = isSimpleCommand(type.command);
  const user = options.user ?? ctx.defaultUser;
  const backoff = resolveBackoff(type, ctx, problems);
  const shared = {
    name: type.name,
    command: type.command,
    argv: shellArgv(type.command),
    simple,
    cwd: options.cwd === undefined ? ctx.cwd : resolve(ctx.configDir, options.cwd),
    ...(user === undefined ? {} : { user }),
    restart: options.restart ?? DEFAULTS.restart,
    backoff,
    maxRestarts: options.max_restarts ?? DEFAULTS.maxRestarts,
    restartWindowMs: options.restart_window ?? DEFAULTS.restartWindowMs,
    critical: options.critical ?? DEFAULTS.critical,
    // Unset means SIGTERM, or SIGINT when procinit itself got SIGINT (SPEC §5): the core picks.
    ...(options.stop_signal ? { stopSignal: options.stop_signal } : {}),
    stopTimeoutMs: options.stop_timeout ?? ctx.shutdownTimeoutMs,
    signalTarget: signalTargetOf(options.signal_target, simple),
    dependsOn,
    ...(options.readiness ? { readiness: resolveProbe(options.readiness) } : {}),
    ...(options.liveness ? { liveness: resolveProbe(options.liveness) } : {}),
  };
  // Each instance gets its own copies, so no consumer can change one instance through another.
  return Array.from({ length: instances }, (_, i) => ({
    ...structuredClone(shared),
    id: `${type.name}.${i + 1}`,
    instance: i + 1,
    env: instanceEnv(type, i + 1, ctx),
  }));
}
