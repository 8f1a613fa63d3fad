import type { DependencyCondition } from '../core/model.js';
import type { ProblemDetails, SourceLocation } from '../errors.js';
import { didYouMean } from './did-you-mean.js';

/** The declared dependencies of each process type, in definition order. */
export type DependencyGraph = ReadonlyMap<string, Readonly<Record<string, DependencyCondition>>>;

/** Where `processes.NAME.depends_on[.DEP]` is written. */
export type LocateDependency = (name: string, dependency?: string) => SourceLocation | undefined;

function withWhere(problem: ProblemDetails, where: SourceLocation | undefined): ProblemDetails {
  return where ? { ...problem, where } : problem;
}

/** Every `depends_on` entry that names a process type that does not exist. */
export function unknownDependencies(graph: DependencyGraph, locate: LocateDependency): ProblemDetails[] {
  const known = [...graph.keys()];
  const problems: ProblemDetails[] = [];
  for (const [name, dependsOn] of graph) {
    for (const dependency of Object.keys(dependsOn)) {
      if (graph.has(dependency)) continue;
      const suggestion = didYouMean(dependency, known);
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
      const problem: ProblemDetails = {
        code: 'config.unknown-dependency',
        what: `processes.${name}.depends_on: unknown process type "${dependency}"${hint}`,
        fix: `known types: ${known.join(', ')}`,
      };
      problems.push(withWhere(problem, locate(name, dependency)));
    }
  }
  return problems;
}

/**
 * Every `depends_on` cycle, each named once from its first type in definition order:
 * `web → worker → web`. A cycle would leave its processes pending for ever.
 */
export function dependencyCycles(graph: DependencyGraph, locate: LocateDependency): ProblemDetails[] {
  const problems: ProblemDetails[] = [];
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (name: string, stack: string[]): void => {
    const seenAt = stack.indexOf(name);
    if (seenAt !== -1) {
      const cycle = [...stack.slice(seenAt), name];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      const first = cycle[0] as string;
      const problem: ProblemDetails = {
        code: 'config.dependency-cycle',
        what: `depends_on cycle: ${cycle.join(' → ')}`,
        why: 'no process of a cycle could ever start, since each waits for the next',
        fix: `remove one of these depends_on entries`,
      };
      problems.push(withWhere(problem, locate(first, cycle[1])));
      return;
    }
    if (done.has(name) || !graph.has(name)) return;
    for (const dependency of Object.keys(graph.get(name) ?? {})) visit(dependency, [...stack, name]);
    done.add(name);
  };
  for (const name of graph.keys()) visit(name, []);
  return problems;
}

/**
 * Every `depends_on: { X: completed }` where X has restart `always`: X restarts even after
 * exiting 0, so it never completes and the dependent would wait for ever.
 */
export function neverCompleted(
  graph: DependencyGraph,
  restartOf: (name: string) => string,
  locate: LocateDependency,
): ProblemDetails[] {
  const problems: ProblemDetails[] = [];
  for (const [name, dependsOn] of graph) {
    for (const [dependency, condition] of Object.entries(dependsOn)) {
      if (condition !== 'completed' || !graph.has(dependency) || restartOf(dependency) !== 'always') continue;
      const problem: ProblemDetails = {
        code: 'config.never-completes',
        what: `processes.${name}.depends_on.${dependency}: "${dependency}" never completes, since its restart is always`,
        why: 'completed means it exited 0 and will not be restarted',
        fix: `give ${dependency} restart: on-failure (or never), or depend on it being ready or started`,
      };
      problems.push(withWhere(problem, locate(name, dependency)));
    }
  }
  return problems;
}
