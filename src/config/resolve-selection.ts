import type { ProcessSpec } from '../core/model.js';
import type { ProblemDetails } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { type DependencyGraph, dependencyCycles, neverCompleted, unknownDependencies } from './depends-on.js';
import { parseFormation, parseOnly, portFor } from './formation.js';
import type { ConfigFile } from './load-config-file.js';
import type { ProcessType } from './process-types.js';
import { expandInstances, type ProcessContext } from './resolve-processes.js';
import type { Environ } from './resolve-settings.js';
import type { CliOptions } from './resolved-config.js';

/** depends_on problems: unknown types, cycles, waits that never end; located in procinit.yaml. */
function dependencyProblems(types: ProcessType[], config: ConfigFile | undefined): ProblemDetails[] {
  const graph: DependencyGraph = new Map(types.map((type) => [type.name, type.options.depends_on ?? {}]));
  const locate = (name: string, dependency?: string) => {
    const path = ['processes', name, 'depends_on', ...(dependency === undefined ? [] : [dependency])];
    return config?.locate(path, 'key');
  };
  const restartOf = (name: string) =>
    types.find((type) => type.name === name)?.options.restart ?? DEFAULTS.restart;
  return [
    ...unknownDependencies(graph, locate),
    ...dependencyCycles(graph, locate),
    ...neverCompleted(graph, restartOf, locate),
  ];
}

/** Instances per type: -m, else PROCINIT_FORMATION, else `instances:`, else 1. */
function instanceCounts(
  types: ProcessType[],
  cli: CliOptions,
  environ: Environ,
  problems: ProblemDetails[],
): Map<string, number> {
  const known = types.map((type) => type.name);
  const [label, text] =
    cli.formation !== undefined
      ? ['-m/--formation', cli.formation]
      : ['PROCINIT_FORMATION', environ.PROCINIT_FORMATION || undefined];
  const formation = text === undefined ? undefined : parseFormation(text, known, label, problems);
  return new Map(
    types.map((type) => [
      type.name,
      formation?.counts.get(type.name) ?? formation?.all ?? type.options.instances ?? DEFAULTS.instances,
    ]),
  );
}

/** The --port base, or undefined (with a problem when it is not a port number). */
export function validBasePort(port: number | undefined, problems: ProblemDetails[]): number | undefined {
  if (port === undefined) return undefined;
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  problems.push({
    code: 'cli.invalid-value',
    what: `--port: expected a port number (1-65535), found ${port}`,
  });
  return undefined;
}

/** foreman's base port from --port, checked so that every PORT it yields is a valid port. */
function basePort(
  cli: CliOptions,
  types: ProcessType[],
  counts: Map<string, number>,
  problems: ProblemDetails[],
) {
  const base = validBasePort(cli.port, problems);
  if (base === undefined) return undefined;
  const highest = Math.max(...types.map((type) => portFor(base, type.index, counts.get(type.name) ?? 1)));
  if (highest > 65535) {
    problems.push({
      code: 'cli.invalid-value',
      what: `--port: base ${cli.port} gives ports up to ${highest}, above 65535`,
      fix: 'choose a lower base port',
    });
  }
  return base;
}

/**
 * The ProcessSpecs to run, in type order: depends_on checked on every defined type, then
 * --only and the formation applied. Dependencies on types that do not run are dropped, so
 * `--only worker` can run against a web that runs elsewhere.
 */
export function selectProcesses(
  types: ProcessType[],
  cli: CliOptions,
  environ: Environ,
  ctx: Omit<ProcessContext, 'basePort'>,
  problems: ProblemDetails[],
): ProcessSpec[] {
  problems.push(...dependencyProblems(types, ctx.config));
  const known = types.map((type) => type.name);
  const only = cli.only === undefined ? undefined : parseOnly(cli.only, known, '--only', problems);
  const counts = instanceCounts(types, cli, environ, problems);
  const running = types.filter((type) => (only?.has(type.name) ?? true) && (counts.get(type.name) ?? 0) > 0);
  const runningNames = new Set(running.map((type) => type.name));
  const fullCtx: ProcessContext = { ...ctx, basePort: basePort(cli, types, counts, problems) };
  const processes = running.flatMap((type) => {
    const dependsOn = Object.fromEntries(
      Object.entries(type.options.depends_on ?? {}).filter(([name]) => runningNames.has(name)),
    );
    return expandInstances(type, counts.get(type.name) ?? 0, dependsOn, fullCtx, problems);
  });
  if (processes.length === 0 && types.length > 0) {
    problems.push({
      code: 'config.nothing-to-run',
      what: 'nothing to run: --only, the formation or instances: 0 leave out every process type',
      fix: `select at least one of ${known.join(', ')} with an instance count above 0`,
    });
  }
  return processes;
}
