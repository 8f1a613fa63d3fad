/**
 * `procinit healthcheck` (SPEC §3): Docker's HEALTHCHECK without curl in the image. It loads
 * neither the supervisor nor prom-client: it runs every few seconds, so it must start fast.
 */
import { writeSync } from 'node:fs';
import { request } from 'node:http';
import { parseDuration } from '../config/duration.js';
import { loadHealthTarget } from '../config/load-config.js';
import { ProcinitError } from '../errors.js';

/** The flags of `procinit healthcheck` (and, but for `timeout`, of `procinit status`). */
export interface HealthTargetFlags {
  port?: number;
  host?: string;
  /** procinit.yaml to read `health:` from (default: discovered in the working directory). */
  config?: string;
}

export interface HealthcheckOptions extends HealthTargetFlags {
  /** A duration: `3s`, `500ms`, or seconds. Default 3s. */
  timeout?: string;
}

/** Where the command runs, injectable so tests need no globals. */
export interface CommandContext {
  environ: NodeJS.ProcessEnv;
  cwd: string;
  /** One line for the user, newline included. */
  writeErr(text: string): void;
}

/** What `GET /health` gave: an answer (any status), or why there was none. */
export type HealthAnswer = { ok: true; statusCode: number; body: string } | { ok: false; reason: string };

export const DEFAULT_HEALTHCHECK_TIMEOUT = '3s';
/** A health body is a few KiB; a bigger answer is not procinit's. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function defaultContext(): CommandContext {
  return { environ: process.env, cwd: process.cwd(), writeErr: (text) => writeSync(2, text) };
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function describeFailure(error: NodeJS.ErrnoException, where: string): HealthAnswer {
  switch (error.code) {
    case 'ECONNREFUSED':
      return { ok: false, reason: `is procinit running? nothing listens on ${where}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { ok: false, reason: `cannot resolve the host of ${where}` };
    default:
      return { ok: false, reason: `cannot reach ${where}: ${error.code ?? error.message}` };
  }
}

/**
 * `GET path` from a running procinit, with one deadline for the whole exchange (connect,
 * headers and body), so a hung server cannot hang Docker's health check.
 */
export function getHealth(
  target: { host: string; port: number },
  timeoutMs: number,
  path = '/health',
): Promise<HealthAnswer> {
  const where = hostPort(target.host, target.port);
  return new Promise((resolve) => {
    const req = request({ host: target.host, port: target.port, path, method: 'GET', agent: false });
    const timer = setTimeout(() => {
      resolve({ ok: false, reason: `no answer from ${where} within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    const settle = (answer: HealthAnswer) => {
      clearTimeout(timer);
      resolve(answer);
    };
    req.on('error', (error: NodeJS.ErrnoException) => settle(describeFailure(error, where)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`the answer from ${where} is too large`));
        else chunks.push(chunk);
      });
      res.on('end', () =>
        settle({ ok: true, statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (error) => settle(describeFailure(error, where)));
    });
    req.end();
  });
}

/** Why /health was not 200, in one line: the overall status and the processes behind it. */
export function describeVerdict(statusCode: number, body: string): string {
  let parsed: { status?: unknown; processes?: unknown } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `/health answered ${statusCode} without a health body`;
  }
  const status = typeof parsed?.status === 'string' ? parsed.status : 'unknown';
  const processes = Array.isArray(parsed?.processes) ? (parsed.processes as Record<string, unknown>[]) : [];
  const troubled = processes
    .filter((p) => !(p.state === 'running' && p.ready === true) && !isCleanOneShot(p))
    .map((p) => `${String(p.id)} ${String(p.state)}${p.state === 'running' ? ', not ready' : ''}`);
  const detail = troubled.length > 0 ? `: ${troubled.join('; ')}` : '';
  return `${status} (HTTP ${statusCode})${detail}`;
}

function isCleanOneShot(p: Record<string, unknown>): boolean {
  const last = p.last_exit as { code?: unknown; signal?: unknown } | null | undefined;
  return p.state === 'exited' && last?.code === 0 && last.signal === null;
}

/** Port and host as `run` would find them, or a user's error. */
export function resolveTarget(
  flags: HealthTargetFlags,
  context: CommandContext,
): Promise<{ host: string; port: number }> {
  return loadHealthTarget(
    {
      ...(flags.port === undefined ? {} : { port: flags.port }),
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.config === undefined ? {} : { config: flags.config }),
    },
    { environ: context.environ, cwd: context.cwd },
  );
}

/** A ProcinitError (or anything else) as one line. */
export function oneLine(error: unknown): string {
  if (error instanceof ProcinitError) return error.problems.map((problem) => problem.what).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/**
 * Asks the running procinit's /health as the flags say: its answer, or why it could not be
 * asked (a bad --timeout or procinit.yaml, the server disabled, nothing listening, a timeout).
 */
export async function askHealth(
  options: HealthTargetFlags & { timeout?: string },
  context: CommandContext,
): Promise<{ ok: true; port: number; statusCode: number; body: string } | { ok: false; reason: string }> {
  const timeout = parseDuration(options.timeout ?? DEFAULT_HEALTHCHECK_TIMEOUT);
  if (!timeout.ok) return { ok: false, reason: `--timeout: ${timeout.message}` };
  if (timeout.ms === 0) return { ok: false, reason: '--timeout: expected a duration above 0, found 0' };
  let target: { host: string; port: number };
  try {
    target = await resolveTarget(options, context);
  } catch (error) {
    return { ok: false, reason: oneLine(error) };
  }
  if (target.port === 0) return { ok: false, reason: 'the health server is disabled (health port 0)' };
  const answer = await getHealth(target, timeout.ms);
  return answer.ok ? { ...answer, port: target.port } : answer;
}

/**
 * Exits 0 when /health says 200, else 1 with one line on stderr saying why. Never 2, even for
 * a bad flag or procinit.yaml: Docker reserves exit code 2 of a health check.
 */
export async function healthcheckCommand(
  options: HealthcheckOptions,
  context: CommandContext = defaultContext(),
): Promise<number> {
  const fail = (why: string): number => {
    context.writeErr(`procinit healthcheck: ${why}\n`);
    return 1;
  };
  const answer = await askHealth(options, context);
  if (!answer.ok) return fail(answer.reason);
  if (answer.statusCode === 200) return 0;
  return fail(describeVerdict(answer.statusCode, answer.body));
}
