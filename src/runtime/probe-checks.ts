/**
 * One attempt of each probe kind (SPEC §2.2), each bounded by its timeout. An attempt never
 * rejects: it resolves with whether it passed and a short detail for the log (`HTTP 503`,
 * `ECONNREFUSED`, `exit 1`, `timed out after 1000 ms`). Details never contain the URL or the
 * command, which may hold secrets.
 */
import { spawn } from 'node:child_process';
import type http from 'node:http';
import { connect } from 'node:net';
import type { ProbeCheck } from '../core/model.js';
import { killTree } from './kill-tree.js';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface AttemptOptions {
  timeoutMs: number;
  /** Ends the attempt early (the process stopped): resolves `{ ok: false, detail: 'stopped' }`. */
  signal?: AbortSignal;
  /** The detail of an attempt ended by `signal`; default `stopped`. */
  abortDetail?: string;
}

export interface ExecAttemptOptions extends AttemptOptions {
  /** The whole environment of the command: procinit's own plus the process's additions. */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The kinds that are attempted on a timer; `log` instead watches output lines. */
export type PolledCheck = Exclude<ProbeCheck, { kind: 'log' }>;

/** Runs one attempt of `check`. `exec` needs `env` and `cwd`; the other kinds ignore them. */
export function attemptCheck(check: PolledCheck, options: ExecAttemptOptions): Promise<ProbeResult> {
  switch (check.kind) {
    case 'http':
      return attemptHttp(check.url, options);
    case 'tcp':
      return attemptTcp(check.host, check.port, options);
    case 'exec':
      return attemptExec(check.command, options);
  }
}

/**
 * Runs `body` until it calls `finish`, the timeout passes or `signal` aborts, whichever comes
 * first; then runs the cleanup `body` returned (closing a socket, killing a process), once.
 * Shared with preflight's wait_for attempts.
 */
export function bounded(
  { timeoutMs, signal, abortDetail = 'stopped' }: AttemptOptions,
  body: (finish: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let outcome: ProbeResult | undefined;
    let cleanup: (() => void) | undefined;
    const onAbort = (): void => finish({ ok: false, detail: abortDetail });
    const timer = setTimeout(
      () => finish({ ok: false, detail: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    function finish(result: ProbeResult): void {
      if (outcome) return;
      outcome = result;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(cleanup ? cleanUp(cleanup, result) : result);
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      cleanup = body(finish);
    } catch (error) {
      return finish({ ok: false, detail: describeError(error) });
    }
    // `body` may have finished synchronously, before its cleanup was known.
    if (outcome) cleanUp(cleanup, outcome);
  });
}

/** Runs a cleanup that must not throw out of a timer callback (it would take procinit down). */
function cleanUp(cleanup: () => void, result: ProbeResult): ProbeResult {
  try {
    cleanup();
    return result;
  } catch (error) {
    return { ok: false, detail: `${result.detail} (cleanup failed: ${describeError(error)})` };
  }
}

/** `ECONNREFUSED`, `ENOTFOUND`…: the code says it all; else the message. */
export function describeError(error: unknown): string {
  const { code } = error as NodeJS.ErrnoException;
  if (typeof code === 'string') return code;
  // With autoSelectFamily (Node 20's default) a failed connect to every address of a name is
  // an AggregateError, whose own code Node may leave unset.
  if (error instanceof AggregateError) {
    const first = error.errors[0] as NodeJS.ErrnoException | undefined;
    if (typeof first?.code === 'string') return first.code;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A GET without keep-alive (`agent: false`): each attempt opens its own connection and closes
 * it, so a probe never holds a socket of the server between attempts. 2xx and 3xx pass;
 * redirects are not followed. The verdict comes with the status line: the body is not read.
 * An https URL is probed without verifying the certificate, as Kubernetes does: the probe asks
 * whether the process answers, not whether its certificate is trusted (often self-signed).
 */
export function attemptHttp(url: string, options: AttemptOptions): Promise<ProbeResult> {
  return bounded(options, (finish) => {
    const target = new URL(url);
    const headers = { 'user-agent': 'procinit-probe', connection: 'close' };
    const onResponse = (response: http.IncomingMessage): void => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    };
    // node:http loads at the first http probe, node:https (and tls, crypto) at the first https
    // one, not with procinit: a run without them never pays for either.
    const request =
      target.protocol === 'https:'
        ? process
            .getBuiltinModule('node:https')
            .get(target, { agent: false, headers, rejectUnauthorized: false }, onResponse)
        : process.getBuiltinModule('node:http').get(target, { agent: false, headers }, onResponse);
    // Stays attached: destroying the request below may still emit an error.
    request.on('error', (error) => finish({ ok: false, detail: describeError(error) }));
    return () => request.destroy();
  });
}

/** Passes when a TCP connection to `host:port` is established; it is closed at once. */
export function attemptTcp(host: string, port: number, options: AttemptOptions): Promise<ProbeResult> {
  return bounded(options, (finish) => {
    const socket = connect({ host, port });
    socket.once('connect', () => finish({ ok: true, detail: 'connected' }));
    socket.on('error', (error) => finish({ ok: false, detail: describeError(error) }));
    return () => socket.destroy();
  });
}

/**
 * Runs `command` with `/bin/sh -c`; exit 0 passes. The shell starts a new session (`detached`:
 * setsid), so an attempt that times out or is stopped is killed with everything it started —
 * group, session and descendants — and a hung `curl` under it cannot pile up attempt after
 * attempt. What an attempt that ended on its own left running is left alone (procinit reaps
 * orphans). Output is discarded: it would otherwise mix into procinit's own, unprefixed.
 */
export function attemptExec(command: string, options: ExecAttemptOptions): Promise<ProbeResult> {
  return bounded(options, (finish) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: 'ignore',
    });
    let exited = false;
    child.once('error', (error) =>
      finish({ ok: false, detail: `could not run /bin/sh in ${options.cwd}: ${describeError(error)}` }),
    );
    child.once('exit', (code, signal) => {
      exited = true;
      finish(
        code === null
          ? { ok: false, detail: `killed by ${signal}` }
          : { ok: code === 0, detail: `exit ${code}` },
      );
    });
    const { pid } = child;
    return () => {
      if (exited || pid === undefined) return;
      killTree(pid, { pgid: pid, sid: pid });
    };
  });
}

/**
 * The test of a `log` readiness probe: whether one output line (without its newline, colour
 * codes removed) matches `pattern`. No `g` flag, so the RegExp keeps no state between lines.
 */
export function createLogMatcher(pattern: string): (line: string) => boolean {
  const regExp = new RegExp(pattern);
  return (line) => regExp.test(line);
}
