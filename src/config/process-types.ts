import type { ProblemDetails } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import type { ConfigFile } from './load-config-file.js';
import type { ProcfileEntry } from './procfile.js';
import type { ProcessOptions } from './schema.js';

/** A process type before instances are expanded: a Procfile line or a `command:` in procinit.yaml. */
export interface ProcessType {
  name: string;
  command: string;
  /** Position among all types: the Procfile's order, then procinit.yaml's; used for --port. */
  index: number;
  options: ProcessOptions;
}

/** The Procfile as the resolver sees it. */
export interface ProcfileInput {
  /** The name used in messages: `Procfile`. */
  file: string;
  /** The absolute path, for `sources`. */
  path: string;
  entries: ProcfileEntry[];
}

/** The options of a type; an own-property check, so a type called `constructor` stays safe. */
function ownOptions(config: ConfigFile | undefined, name: string): ProcessOptions {
  const processes = config?.data.processes;
  return processes && Object.hasOwn(processes, name) ? (processes[name] as ProcessOptions) : {};
}

function describeProcfile(procfile: ProcfileInput | undefined): string {
  return procfile ? `in ${procfile.file}` : 'since there is no Procfile';
}

/** A `processes:` entry that neither matches a Procfile type nor has its own command. */
function unknownTypeProblem(
  name: string,
  known: string[],
  procfile: ProcfileInput | undefined,
  config: ConfigFile,
): ProblemDetails {
  const suggestion = didYouMean(name, known);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return {
    code: 'config.unknown-process',
    what: `processes.${name}: no process type "${name}" ${describeProcfile(procfile)}${hint}`,
    why: 'options under processes: apply to a Procfile type, unless the entry defines command: itself',
    fix: `add "${name}: COMMAND" to the Procfile, or give processes.${name} a command:`,
    where: config.locate(['processes', name], 'key'),
  };
}

/**
 * Every process type, in order: the Procfile's, then those procinit.yaml defines with
 * `command:`. A `command:` for a type the Procfile already defines is a problem (which one
 * should win is not obvious), as are options for a type defined nowhere.
 */
export function collectProcessTypes(
  procfile: ProcfileInput | undefined,
  config: ConfigFile | undefined,
  problems: ProblemDetails[],
): ProcessType[] {
  const yamlProcesses = Object.entries(config?.data.processes ?? {});
  const types: ProcessType[] = (procfile?.entries ?? []).map((entry, index) => ({
    name: entry.name,
    command: entry.command,
    index,
    options: ownOptions(config, entry.name),
  }));
  const fromProcfile = new Set(types.map((type) => type.name));
  for (const [name, options] of yamlProcesses) {
    if (options.command !== undefined && !fromProcfile.has(name)) {
      types.push({ name, command: options.command, index: types.length, options });
    }
  }
  if (!config) return types;
  const known = types.map((type) => type.name);
  for (const [name, options] of yamlProcesses) {
    if (options.command !== undefined && fromProcfile.has(name) && procfile) {
      const line = procfile.entries.find((entry) => entry.name === name)?.line;
      problems.push({
        code: 'config.duplicate-process',
        what: `processes.${name}.command: "${name}" is already defined in ${procfile.file}:${line}`,
        fix: `remove the command from one of them`,
        where: config.locate(['processes', name, 'command'], 'key'),
      });
    } else if (options.command === undefined && !fromProcfile.has(name)) {
      problems.push(unknownTypeProblem(name, known, procfile, config));
    }
  }
  return types;
}
