import type http from 'node:http';
import type https from 'node:https';
import type { WaitForSpec } from '../config/resolved-config.js';
import {
  bounded,
  attemptTcp as connectOnce,
  describeError,
  type ProbeResult,
} from '../runtime/probe-checks.js';

/** One try at a wait_for target. `detail` never holds the URL (it may carry a password). */
export interface AttemptResult extends ProbeResult {
  /** Set when no attempt can ever pass (the URL itself cannot be used): what to do instead. */
  unusable?: { fix: string };
}

export type Attempt = (
  target: WaitForSpec['target'],
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<AttemptResult>;

/** The detail of an attempt cut short by a signal to procinit. */
const INTERRUPTED = 'interrupted';

/** Opens a TCP connection and closes it: a connect passes (the tcp probe's own attempt). */
export function attemptTcp(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  return connectOnce(host, port, { timeoutMs, abortDetail: INTERRUPTED, ...(signal ? { signal } : {}) });
}

const URL_FIX = 'correct the URL in procinit.yaml: percent-encode its user and password (% as %25, @ as %40)';

/** The URL as Node's http client takes it, or why it cannot be used. */
function usableUrl(url: string): { url: URL; client: typeof http | typeof https } | AttemptResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, detail: 'not a valid URL', unusable: { fix: URL_FIX } };
  }
  // node:http loads only for an http URL, node:https (and tls, crypto) only for an https one:
  // a few ms of every start otherwise.
  const client =
    parsed.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : parsed.protocol === 'http:'
        ? process.getBuiltinModule('node:http')
        : undefined;
  if (!client) {
    const detail = `unsupported protocol ${parsed.protocol} (use http: or https:)`;
    return { ok: false, detail, unusable: { fix: 'use an http:// or https:// URL' } };
  }
  return { url: parsed, client };
}

/**
 * Sends the GET. Node decodes the userinfo for Basic auth while building the request and throws
 * there, synchronously, on a bad %-escape (`u:50%off@`): that URL can never work, and the error
 * must become a report line, not escape as an internal error.
 */
function sendGet(target: { url: URL; client: typeof http | typeof https }) {
  try {
    return target.client.get(target.url, { headers: { 'user-agent': 'procinit' } });
  } catch (error) {
    const detail =
      error instanceof URIError
        ? "malformed %-escape in the URL's user or password"
        : `cannot send the request: ${describeError(error)}`;
    return { ok: false, detail, unusable: { fix: URL_FIX } } satisfies AttemptResult;
  }
}

/**
 * GETs `url`: 2xx and 3xx pass (redirects are not followed: a 302 to a login page still means
 * the server is up). Credentials in the URL's userinfo are sent as Basic auth by Node.
 */
export function attemptHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<AttemptResult> {
  const target = usableUrl(url);
  if ('ok' in target) return Promise.resolve(target);
  return bounded({ timeoutMs, abortDetail: INTERRUPTED, ...(signal ? { signal } : {}) }, (finish) => {
    const request = sendGet(target);
    if ('ok' in request) {
      finish(request);
      return () => {};
    }
    request.once('response', (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    // Stays attached: destroying the request below may still emit an error.
    request.on('error', (error) => finish({ ok: false, detail: describeError(error) }));
    return () => request.destroy();
  });
}

/** The real attempt for either kind of target. */
export const attemptTarget: Attempt = (target, timeoutMs, signal) =>
  target.kind === 'tcp'
    ? attemptTcp(target.host, target.port, timeoutMs, signal)
    : attemptHttp(target.url, timeoutMs, signal);
