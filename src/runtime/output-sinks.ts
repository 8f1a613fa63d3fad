import { fstatSync } from 'node:fs';
import { createFdSink, type FdSinkOptions } from './output-fd-sink.js';
import type { OutputSink } from './output-sink.js';

/** procinit's two outputs. `stderr` is the same object as `stdout` when both fds reach one file. */
export interface OutputSinks {
  stdout: OutputSink;
  stderr: OutputSink;
  /** Resolves when everything queued on both sinks so far is written (or dropped). */
  flush(): Promise<void>;
  /** Writes everything queued on both sinks now (exit paths that cannot wait). */
  flushSync(): void;
}

export interface OutputSinksOptions extends FdSinkOptions {
  /** Default 1. */
  stdoutFd?: number;
  /** Default 2. */
  stderrFd?: number;
}

/** The identity of what an fd is open on, or undefined when it cannot be known (closed fd). */
function fileIdentity(fd: number): string | undefined {
  try {
    const stat = fstatSync(fd, { bigint: true });
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Creates the one writer per destination that all of procinit's output goes through.
 *
 * Why stdout and stderr may share a writer: with `procinit >log 2>&1`, on a terminal, or when
 * Docker is given one pipe for both, fds 1 and 2 reach the same file. Two writers would each
 * keep their own units whole, but their write(2)s run concurrently on libuv's threads, and a
 * write of more than PIPE_BUF bytes to a pipe or terminal may be split by the kernel and
 * interleaved with the other's. One writer (everything goes out through fd 1) keeps every unit
 * whole and keeps stdout and stderr lines in the order they were produced.
 *
 * Nothing else in procinit may write to fds 1 and 2 (no console.log, no process.stdout) while
 * the sinks are in use; touching process.stdout would also switch a pipe to non-blocking mode.
 */
export function createOutputSinks(options: OutputSinksOptions = {}): OutputSinks {
  const { stdoutFd = 1, stderrFd = 2, ...sinkOptions } = options;
  const stdout = createFdSink(stdoutFd, sinkOptions);
  const stdoutIdentity = fileIdentity(stdoutFd);
  const shared = stdoutIdentity !== undefined && stdoutIdentity === fileIdentity(stderrFd);
  const stderr = shared ? stdout : createFdSink(stderrFd, sinkOptions);
  return combineSinks(stdout, stderr);
}

/** Wraps two sinks (possibly the same one) as {@link OutputSinks}; also handy for tests. */
export function combineSinks(stdout: OutputSink, stderr: OutputSink): OutputSinks {
  const distinct = stdout === stderr ? [stdout] : [stdout, stderr];
  return {
    stdout,
    stderr,
    flush: async () => {
      await Promise.all(distinct.map((sink) => sink.flush()));
    },
    flushSync: () => {
      for (const sink of distinct) sink.flushSync();
    },
  };
}
