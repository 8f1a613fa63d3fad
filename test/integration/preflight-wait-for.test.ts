import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPreflight } from '../../src/preflight/run-preflight.js';
import { capture, configFrom } from '../fixtures/preflight/preflight-harness.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';

const servers: { close(cb: () => void): void }[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

function listen(server: Server | ReturnType<typeof createHttpServer>, port: number): Promise<void> {
  servers.push(server);
  return new Promise((resolve) => server.listen({ port, host: '127.0.0.1' }, resolve));
}

/** Whether the captured trace log shows a failed attempt at the target. */
function sawFailedAttempt(text: string): boolean {
  return text
    .split('\n')
    .some((line) => line.includes('"event":"preflight.wait_for.attempt"') && line.includes('"ok":false'));
}

describe('wait_for (real sockets)', () => {
  it.each(['tcp', 'http'] as const)(
    '%s: succeeds once a listener appears in the middle of the wait',
    async (kind) => {
      const port = await freePort();
      const target =
        kind === 'tcp'
          ? `{ tcp: "127.0.0.1:${port}", timeout: 20s }`
          : `{ http: "http://127.0.0.1:${port}/health", timeout: 20s }`;
      const config = configFrom(`preflight:\n  wait_for: [${target}]\n`);
      const out = capture({ format: 'json' });
      const preflight = runPreflight(config, {
        mode: 'run',
        environ: {},
        output: out.output,
        logger: out.logger,
      });
      // Nothing listens yet: wait for preflight to have tried and failed, then start the listener.
      await waitFor(() => sawFailedAttempt(out.text()), { timeoutMs: 10_000, what: 'a failed attempt' });
      const server =
        kind === 'tcp'
          ? createServer((socket) => socket.end())
          : createHttpServer((_request, response) => response.writeHead(204).end());
      await listen(server, port);
      const result = await preflight;
      expect(result.ok).toBe(true);
      expect(result.lines[0]).toMatchObject({
        check: 'wait_for',
        severity: 'ok',
        detail: expect.stringMatching(
          kind === 'tcp' ? /^reachable after .*\(connected\)$/ : /^reachable after .*\(HTTP 204\)$/,
        ),
      });
    },
  );

  it('http: a 5xx answer is not ready, and the wait fails at its timeout with the last status', async () => {
    const port = await freePort();
    await listen(
      createHttpServer((_request, response) => response.writeHead(503).end()),
      port,
    );
    const config = configFrom(
      `preflight:\n  wait_for: [{ http: "http://127.0.0.1:${port}/", timeout: 700ms }]\n`,
    );
    const out = capture();
    const result = await runPreflight(config, {
      mode: 'run',
      environ: {},
      output: out.output,
      logger: out.logger,
    });
    expect(result.ok).toBe(false);
    expect(result.lines[0]?.detail).toMatch(/^not reachable after 700ms, \d+ attempts \(last: HTTP 503\)$/);
  });

  it('check mode makes a single attempt and does not wait', async () => {
    const port = await freePort();
    const config = configFrom(`preflight:\n  wait_for: [{ tcp: "127.0.0.1:${port}", timeout: 1h }]\n`);
    const out = capture();
    const result = await runPreflight(config, {
      mode: 'check',
      environ: {},
      output: out.output,
      logger: out.logger,
    });
    expect(result.ok).toBe(true);
    expect(result.lines[0]).toMatchObject({
      severity: 'warn',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
    expect(result.durationMs).toBeLessThan(5_000);
  });
});
