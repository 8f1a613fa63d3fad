import { writeSync } from 'node:fs';
import { ProcinitError } from '../errors.js';

/**
 * Straight to fd 2: by the time a run fails, procinit's output sinks own fds 1 and 2, and
 * touching process.stderr would switch a pipe to non-blocking mode under them.
 */
function writeErr(text: string): void {
  writeSync(2, text);
}

/**
 * The one top-level catch: a user's error is printed as its message with exit 2/78, a bug as
 * one line with exit 1. Stack traces only with -v, so a container log stays readable.
 */
export function reportFailure(error: unknown, verbose: boolean): number {
  if (error instanceof ProcinitError) {
    writeErr(`procinit: ${error.problems.length > 1 ? 'errors' : 'error'}:\n${indent(error.message)}\n`);
    if (verbose && error.stack) writeErr(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeErr(`procinit: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) writeErr(`${error.stack}\n`);
  else writeErr('  run with -v for the stack trace, and please report it\n');
  return 1;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
