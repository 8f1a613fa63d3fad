import type { ProbeSpec, ProcessSpec } from '../core/model.js';
import { maskEnv, maskText } from '../core/secrets.js';
import { formatDuration } from './duration.js';
import type { PreflightSpec, ResolvedConfig } from './resolved-config.js';

/** A probe in procinit.yaml's own words, URLs and commands masked. */
function displayProbe(probe: ProbeSpec, patterns: readonly string[]): Record<string, unknown> {
  const { check } = probe;
  const target =
    check.kind === 'http'
      ? { http: maskText(check.url, patterns) }
      : check.kind === 'tcp'
        ? { tcp: `${check.host}:${check.port}` }
        : check.kind === 'exec'
          ? { exec: maskText(check.command, patterns) }
          : { log: check.pattern };
  return {
    ...target,
    interval: formatDuration(probe.intervalMs),
    timeout: formatDuration(probe.timeoutMs),
    initial_delay: formatDuration(probe.initialDelayMs),
    failure_threshold: probe.failureThreshold,
    success_threshold: probe.successThreshold,
  };
}

function displayProcess(spec: ProcessSpec, patterns: readonly string[]): Record<string, unknown> {
  return {
    command: maskText(spec.command, patterns),
    argv: spec.argv.map((arg) => maskText(arg, patterns)),
    simple: spec.simple,
    signal_target: spec.signalTarget,
    cwd: spec.cwd,
    ...(spec.user === undefined ? {} : { user: spec.user }),
    critical: spec.critical,
    restart: spec.restart,
    backoff: {
      initial: formatDuration(spec.backoff.initialMs),
      max: formatDuration(spec.backoff.maxMs),
      reset_after: formatDuration(spec.backoff.resetAfterMs),
    },
    max_restarts: spec.maxRestarts,
    restart_window: formatDuration(spec.restartWindowMs),
    stop_signal: spec.stopSignal ?? 'SIGTERM (SIGINT when procinit gets SIGINT)',
    stop_timeout: formatDuration(spec.stopTimeoutMs),
    depends_on: spec.dependsOn,
    ...(spec.readiness ? { readiness: displayProbe(spec.readiness, patterns) } : {}),
    ...(spec.liveness ? { liveness: displayProbe(spec.liveness, patterns) } : {}),
    env: maskEnv(spec.env, patterns),
  };
}

function displayPreflight(preflight: PreflightSpec, patterns: readonly string[]): Record<string, unknown> {
  return {
    env: preflight.env,
    dirs: preflight.dirs.map((dir) => ({
      path: dir.path,
      ...(dir.mode === undefined ? {} : { mode: `0${dir.mode.toString(8)}` }),
      ...(dir.owner === undefined ? {} : { owner: dir.owner }),
      recursive: dir.recursive,
    })),
    commands: preflight.commands,
    ports_free: preflight.portsFree,
    wait_for: preflight.waitFor.map(({ target, timeoutMs }) => ({
      ...(target.kind === 'http'
        ? { http: maskText(target.url, patterns) }
        : { tcp: `${target.host}:${target.port}` }),
      timeout: formatDuration(timeoutMs),
    })),
    tasks: preflight.tasks.map((task) => ({
      name: task.name,
      run: maskText(task.run, patterns),
      timeout: formatDuration(task.timeoutMs),
      ...(task.user === undefined ? {} : { user: task.user }),
    })),
  };
}

/**
 * The resolved configuration as plain data in procinit.yaml's vocabulary (snake_case keys,
 * durations as `30s`), with every secret masked: env values by name, URL passwords and
 * `SECRET=value` assignments in commands. For `procinit config` and the -v startup log.
 */
export function configForDisplay(config: ResolvedConfig): Record<string, unknown> {
  const patterns = config.secretPatterns;
  return {
    sources: {
      ...(config.sources.procfile === undefined ? {} : { procfile: config.sources.procfile }),
      ...(config.sources.config === undefined ? {} : { config: config.sources.config }),
      env_files: config.sources.envFiles,
    },
    single_command: config.singleCommand,
    ...(config.user === undefined ? {} : { user: config.user }),
    health: config.health,
    shutdown: {
      timeout: formatDuration(config.shutdown.timeoutMs),
      drain: formatDuration(config.shutdown.drainMs),
    },
    log: config.log,
    secret_patterns: config.secretPatterns,
    preflight: displayPreflight(config.preflight, patterns),
    processes: Object.fromEntries(config.processes.map((spec) => [spec.id, displayProcess(spec, patterns)])),
  };
}
