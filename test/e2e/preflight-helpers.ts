/**
 * What the preflight end-to-end tests share: projects in temp directories, the built procinit
 * run to its end with its JSON log parsed into records, ports known to be free, and listeners
 * (TCP, HTTP) that a test starts when it wants, closed after each test.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { type RunningProcess, startProcinit } from '../helpers/procinit.js';

export { freePort };

const tempDirs: string[] = [];

/** A fresh directory under the system temp dir, removed by {@link removeTempDirs}. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'procinit-preflight-'));
  tempDirs.push(dir);
  return dir;
}

/** For afterAll: removes every directory {@link tempDir} made. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes a Procfile and a procinit.yaml into `dir`. The configuration is written as JSON (which
 * YAML reads), so no value needs YAML quoting; the health server is off unless it says otherwise,
 * so tests running side by side never fight over port 8099.
 */
export function writeProject(dir: string, procfile: string, config: Record<string, unknown> = {}): string {
  writeFileSync(join(dir, 'Procfile'), procfile);
  writeFileSync(join(dir, 'procinit.yaml'), JSON.stringify({ health: { port: 0 }, ...config }, null, 2));
  return dir;
}

/** A temp project: {@link tempDir} plus {@link writeProject}. */
export function project(procfile: string, config: Record<string, unknown> = {}): string {
  return writeProject(tempDir(), procfile, config);
}

/** One JSON line procinit wrote: its own record (`event`) or a child's line (`stream`). */
export interface LogRecord {
  level: number;
  proc: string;
  msg: string;
  event?: string;
  check?: string;
  result?: string;
  stream?: string;
  [key: string]: unknown;
}

/** A procinit that has exited: its code and everything it printed. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr as one text, for scanning. */
  output: string;
  /** Every JSON line of stdout, then of stderr (with --log-format json). */
  records: LogRecord[];
}

function parseRecords(text: string): LogRecord[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

/** Waits (bounded) for `run` to exit; fails with its output so far when it does not. */
export async function finished(run: RunningProcess, timeoutMs = 20_000): Promise<Finished> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`procinit did not exit within ${timeoutMs} ms\n${run.stdout()}${run.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([run.exited, timeout]);
    const stdout = run.stdout();
    const stderr = run.stderr();
    return { code, stdout, stderr, output: stdout + stderr, records: parseRecords(stdout + stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the built procinit in `cwd` to its end. */
export function runProcinit(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Finished> {
  const env = options.env === undefined ? {} : { env: options.env };
  return finished(startProcinit(args, { cwd: options.cwd, ...env }), options.timeoutMs);
}

const REPORT_EVENTS = new Set(['preflight.check', 'preflight.passed', 'preflight.failed']);

/**
 * The preflight report of a json-format run: one text per check (`[FAIL] env X: missing; fix: …`),
 * in the order printed, then the summary line.
 */
export function report(run: Finished): string[] {
  return run.records.filter((record) => REPORT_EVENTS.has(record.event ?? '')).map((record) => record.msg);
}

/** The report line of one check (`env`, `DATABASE_URL`), or undefined when there is none. */
export function reportLine(run: Finished, check: string, subject: string): string | undefined {
  return report(run).find((line) => line.replace(/^\[\w+\]\s+/, '').startsWith(`${check} ${subject}: `));
}

/** The lines a child (`web.1`, `task:migrate`) wrote, in order, in a json-format run. */
export function childLines(run: Finished, proc: string): string[] {
  return run.records.filter((record) => record.proc === proc && record.stream).map((record) => record.msg);
}

/** Permission bits (as octal text), owner and group of a path. */
export function ownerAndMode(path: string): { mode: string; uid: number; gid: number } {
  const stat = statSync(path);
  return { mode: (stat.mode & 0o7777).toString(8), uid: stat.uid, gid: stat.gid };
}

/** A listener a test started; closed by {@link closeListeners}. */
export interface Listener {
  port: number;
  close(): Promise<void>;
}

const listeners = new Set<Listener>();

/** Listens on 0.0.0.0:`port` (0: any free port) and resolves once it is listening. */
async function listen(server: Server, port: number, sockets: Set<Socket>): Promise<Listener> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0', exclusive: true }, resolve);
  });
  const listener: Listener = {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        listeners.delete(listener);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  listeners.add(listener);
  return listener;
}

/** A TCP listener that accepts connections and does nothing with them. */
export function listenTcp(port = 0): Promise<Listener> {
  return listen(createServer(), port, new Set());
}

/** An HTTP server answering every request with `handler`. */
export function listenHttp(port: number, handler: RequestListener): Promise<Listener> {
  return listen(createHttpServer(handler), port, new Set());
}

/** For afterEach: closes every listener still open. */
export async function closeListeners(): Promise<void> {
  await Promise.all([...listeners].map((listener) => listener.close()));
}
