import { resolve } from 'node:path';
import type { ProbeCheck, ProbeSpec } from '../core/model.js';
import type { ProblemDetails } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { parseHostPort } from './host-port.js';
import type { ConfigFile } from './load-config-file.js';
import type { PreflightSpec, WaitForSpec } from './resolved-config.js';
import type { ConfigFileData, ProbeOptions } from './schema.js';

/** A probe from procinit.yaml with every default filled in (timing as Kubernetes does it). */
export function resolveProbe(probe: ProbeOptions): ProbeSpec {
  let check: ProbeCheck;
  if (probe.http !== undefined) check = { kind: 'http', url: probe.http };
  // The schema checked the host:port form already.
  else if (probe.tcp !== undefined)
    check = { kind: 'tcp', ...(parseHostPort(probe.tcp) ?? { host: '', port: 0 }) };
  else if (probe.exec !== undefined) check = { kind: 'exec', command: probe.exec };
  else check = { kind: 'log', pattern: probe.log ?? '' };
  const defaults = DEFAULTS.probe;
  return {
    check,
    intervalMs: probe.interval ?? defaults.intervalMs,
    timeoutMs: probe.timeout ?? defaults.timeoutMs,
    initialDelayMs: probe.initial_delay ?? defaults.initialDelayMs,
    failureThreshold: probe.failure_threshold ?? defaults.failureThreshold,
    successThreshold: probe.success_threshold ?? defaults.successThreshold,
  };
}

type PreflightOptions = NonNullable<ConfigFileData['preflight']>;

function resolveWaitFor(entry: NonNullable<PreflightOptions['wait_for']>[number]): WaitForSpec {
  const timeoutMs = entry.timeout ?? DEFAULTS.waitForTimeoutMs;
  if (entry.http !== undefined) return { target: { kind: 'http', url: entry.http }, timeoutMs };
  const { host, port } = parseHostPort(entry.tcp ?? '') ?? { host: '', port: 0 };
  return { target: { kind: 'tcp', host, port }, timeoutMs };
}

/** Two tasks with the same name: the name is what the output prefix and the report show. */
function duplicateTasks(options: PreflightOptions, config: ConfigFile | undefined): ProblemDetails[] {
  const seen = new Set<string>();
  const problems: ProblemDetails[] = [];
  (options.tasks ?? []).forEach((task, index) => {
    if (seen.has(task.name)) {
      problems.push({
        code: 'config.duplicate-task',
        what: `preflight.tasks[${index}].name: duplicate task name "${task.name}"`,
        fix: 'give each task its own name',
        ...(config ? { where: config.locate(['preflight', 'tasks', index, 'name']) } : {}),
      });
    }
    seen.add(task.name);
  });
  return problems;
}

/**
 * The preflight section with defaults filled in. Relative directory paths are taken from
 * procinit.yaml's directory, like every other path written in that file.
 */
export function resolvePreflight(
  config: ConfigFile | undefined,
  configDir: string,
  defaultUser: string | undefined,
  problems: ProblemDetails[],
): PreflightSpec {
  const options: PreflightOptions = config?.data.preflight ?? {};
  problems.push(...duplicateTasks(options, config));
  const user = (own: string | undefined) => own ?? defaultUser;
  return {
    env: { required: options.env?.required ?? [], optional: options.env?.optional ?? [] },
    dirs: (options.dirs ?? []).map((dir) => ({
      path: resolve(configDir, dir.path),
      ...(dir.mode === undefined ? {} : { mode: dir.mode }),
      ...(dir.owner === undefined ? {} : { owner: dir.owner }),
      recursive: dir.recursive ?? false,
    })),
    commands: options.commands ?? [],
    portsFree: options.ports_free ?? [],
    waitFor: (options.wait_for ?? []).map(resolveWaitFor),
    tasks: (options.tasks ?? []).map((task) => {
      const taskUser = user(task.user);
      return {
        name: task.name,
        run: task.run,
        timeoutMs: task.timeout ?? DEFAULTS.taskTimeoutMs,
        ...(taskUser === undefined ? {} : { user: taskUser }),
      };
    }),
  };
}
