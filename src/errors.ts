/** Where in a user's file a problem is: `Procfile:3` or `procinit.yaml:4:7`. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** Exit codes of SPEC §8 that an error can carry. */
export type ErrorExitCode = 1 | 2 | 78;

/** What a user needs to act on a problem: its stable code, what, why, how to fix it, where. */
export interface ProblemDetails {
  /** Stable identifier, e.g. `procfile.duplicate-name`. */
  code: string;
  /** What was wrong, naming the value: `duplicate process name "web" (first on line 1)`. */
  what: string;
  why?: string;
  fix?: string;
  where?: SourceLocation;
}

/** Formats a location as `file:line:column`, leaving out what is unknown. */
export function formatLocation(where: SourceLocation): string {
  let text = where.file;
  if (where.line !== undefined) text += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) text += `:${where.column}`;
  return text;
}

/** One line for a problem: `Procfile:3: duplicate process name "web" (first on line 1)`. */
export function formatProblem(problem: ProblemDetails): string {
  const prefix = problem.where ? `${formatLocation(problem.where)}: ` : '';
  let text = prefix + problem.what;
  if (problem.why) text += `\n  why: ${problem.why}`;
  if (problem.fix) text += `\n  fix: ${problem.fix}`;
  return text;
}

/**
 * An expected failure that the CLI renders for the user (never as a stack trace unless -v).
 * It holds every problem found in one run, so a user fixes them all at once.
 */
export class ProcinitError extends Error {
  readonly problems: readonly ProblemDetails[];
  readonly exitCode: ErrorExitCode;

  constructor(problems: ProblemDetails | readonly ProblemDetails[], exitCode: ErrorExitCode = 2) {
    const list = Array.isArray(problems) ? problems : [problems as ProblemDetails];
    super(list.map(formatProblem).join('\n'));
    this.name = 'ProcinitError';
    this.problems = list;
    this.exitCode = exitCode;
  }
}

/** A usage or configuration error (exit 2). */
export function usageError(problem: ProblemDetails | readonly ProblemDetails[]): ProcinitError {
  return new ProcinitError(problem, 2);
}
