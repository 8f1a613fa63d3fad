import type { ProblemDetails } from '../errors.js';
import { didYouMean } from './did-you-mean.js';

/** Instances per process type from `-m web=1,worker=2`; `all` sets every type not named. */
export interface Formation {
  counts: Map<string, number>;
  all?: number;
}

function unknownName(label: string, name: string, known: readonly string[]): ProblemDetails {
  const suggestion = didYouMean(name, known);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return {
    code: 'cli.unknown-process',
    what: `${label}: unknown process type "${name}"${hint}`,
    fix: `known types: ${known.join(', ') || '(none)'}`,
  };
}

/**
 * Parses a formation (`web=1,worker=2`, `all=2,web=1`) against the known process types.
 * `label` names where it came from (`--formation`, `PROCINIT_FORMATION`) in problems.
 * Unlike foreman, a type that is not named keeps its configured count (procinit.yaml
 * `instances`, else 1) unless `all=N` is given: scaling workers must not silently drop web.
 */
export function parseFormation(
  text: string,
  known: readonly string[],
  label: string,
  problems: ProblemDetails[],
): Formation {
  const formation: Formation = { counts: new Map() };
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const match = /^([A-Za-z0-9_-]+)\s*=\s*(\d+)$/.exec(item);
    if (!match) {
      problems.push({
        code: 'cli.invalid-value',
        what: `${label}: expected NAME=COUNT, found ${JSON.stringify(item)}`,
        fix: 'write it as web=1,worker=2 (all=N sets every type)',
      });
      continue;
    }
    const name = match[1] as string;
    const count = Number(match[2]);
    if (name === 'all') formation.all = count;
    else if (!known.includes(name)) problems.push(unknownName(label, name, known));
    else formation.counts.set(name, count);
  }
  return formation;
}

/** Parses `--only web,worker` against the known types; every unknown name is a problem. */
export function parseOnly(
  text: string,
  known: readonly string[],
  label: string,
  problems: ProblemDetails[],
): Set<string> {
  const names = new Set<string>();
  for (const part of text.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (known.includes(name)) names.add(name);
    else problems.push(unknownName(label, name, known));
  }
  return names;
}

/**
 * foreman's PORT for an instance: BASE + 100 × the type's index + instance − 1. The index is
 * the type's position among all defined types, whatever --only and -m select, so a type's
 * port does not move when another is left out.
 */
export function portFor(basePort: number, typeIndex: number, instance: number): number {
  return basePort + 100 * typeIndex + instance - 1;
}
