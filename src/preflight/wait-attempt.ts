import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import type { WaitForSpec } from '../config/resolved-config.js';

/** One try at a wait_for target. `detail` never holds the URL (it may carry a password). */
export interface AttemptResult {
  ok: boolean;
  /** `connected`, `HTTP 200`, `ECONNREFUSED`, `timed out after 1000 ms`. */
  detail: string;
}

export type Attempt = (
  target: WaitForSpec['target'],
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<AttemptResult>;

function errorCode(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  return err.code ?? err.message ?? String(error);
}

/** Opens a TCP connection and closes it: a connect passes (SPEC §2.2 probes). */
export function attemptTcp(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (result: AttemptResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, detail: 'interrupted' });
    const timer = setTimeout(
      () => finish({ ok: false, detail: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true, detail: 'connected' }));
    socket.once('error', (error) => finish({ ok: false, detail: errorCode(error) }));
  });
}

/**
 * GETs `url`: 2xx and 3xx pass (redirects are not followed: a 302 to a login page still means
 * the server is up). Credentials in the URL's userinfo are sent as Basic auth by Node.
 */
export function attemptHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve({ ok: false, detail: 'not a valid URL' });
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      resolve({ ok: false, detail: `unsupported protocol ${parsed.protocol} (use http: or https:)` });
      return;
    }
    let done = false;
    const finish = (result: AttemptResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, detail: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    const request = client.get(parsed, {
      ...(signal ? { signal } : {}),
      headers: { 'user-agent': 'procinit' },
    });
    request.once('response', (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    request.once('error', (error) =>
      finish({ ok: false, detail: signal?.aborted ? 'interrupted' : errorCode(error) }),
    );
  });
}

/** The real attempt for either kind of target. */
export const attemptTarget: Attempt = (target, timeoutMs, signal) =>
  target.kind === 'tcp'
    ? attemptTcp(target.host, target.port, timeoutMs, signal)
    : attemptHttp(target.url, timeoutMs, signal);
