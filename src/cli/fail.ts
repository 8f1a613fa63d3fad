import { ProcinitError } from '../errors.js';

/**
 * The one top-level catch: a user's error is printed as its message with exit 2/78, a bug as
 * one line with exit 1. Stack traces only with -v, so a container log stays readable.
 */
export function reportFailure(error: unknown, verbose: boolean): number {
  if (error instanceof ProcinitError) {
    process.stderr.write(
      `procinit: ${error.problems.length > 1 ? 'errors' : 'error'}:\n${indent(error.message)}\n`,
    );
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`procinit: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  run with -v for the stack trace, and please report it\n');
  return 1;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
