import { expect } from 'vitest';
import { parseConfigFile } from '../../../src/config/load-config-file.js';
import { parseProcfile } from '../../../src/config/procfile.js';
import { type ResolveInput, resolveConfig } from '../../../src/config/resolve.js';
import type { CliOptions, ResolvedConfig } from '../../../src/config/resolved-config.js';
import { formatProblem } from '../../../src/errors.js';

/** What a resolver test varies; everything else gets a quiet default. */
export interface Case {
  cli?: CliOptions;
  environ?: Record<string, string>;
  procfile?: string;
  yaml?: string;
  envFiles?: Record<string, string>[];
  stdoutIsTTY?: boolean;
}

/** Builds a ResolveInput from texts, as load-config would after reading the files. */
export function inputFor(c: Case): ResolveInput {
  const input: ResolveInput = {
    cli: c.cli ?? {},
    environ: c.environ ?? {},
    cwd: '/app',
    stdoutIsTTY: c.stdoutIsTTY ?? false,
    envFiles: (c.envFiles ?? []).map((vars, i) => ({ file: `${i}.env`, path: `/app/${i}.env`, vars })),
  };
  if (c.procfile !== undefined) {
    const parsed = parseProcfile(c.procfile, 'Procfile');
    expect(parsed.problems).toEqual([]);
    input.procfile = { file: 'Procfile', path: '/app/Procfile', entries: parsed.entries };
  }
  if (c.yaml !== undefined) {
    const parsed = parseConfigFile(c.yaml, 'procinit.yaml');
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    input.config = { ...parsed.config, path: '/app/config/procinit.yaml' };
  }
  return input;
}

/** Resolves a case that must succeed. */
export function resolved(c: Case): ResolvedConfig {
  const result = resolveConfig(inputFor(c));
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.config;
}

/** Resolves a case that must fail; returns each problem formatted. */
export function problems(c: Case): string[] {
  const result = resolveConfig(inputFor(c));
  if (result.ok) throw new Error('expected problems, but the configuration resolved');
  return result.problems.map(formatProblem);
}

/** The ids of the processes, and an env variable of each. */
export function envOf(config: ResolvedConfig, name: string): Record<string, string | undefined> {
  return Object.fromEntries(config.processes.map((spec) => [spec.id, spec.env[name]]));
}
