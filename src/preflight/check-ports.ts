import { createServer } from 'node:net';
import { findPortHolder, type PortHolder } from './port-holder.js';
import { type PreflightLine, preflightLine, timedAsync } from './preflight-line.js';

/** Whether a bind succeeded: `free`, or the errno code (`EADDRINUSE`, `EACCES`). */
export type BindResult = 'free' | string;

/**
 * Tries to listen on 0.0.0.0:`port` and closes at once. `exclusive` keeps Node's cluster
 * module out of it; a socket on `::` (dual stack) also makes this bind fail, as it should,
 * since the process would collide with it too.
 */
export function tryBind(port: number): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve('free')));
  });
}

export interface PortCheckDeps {
  now: () => number;
  bind?: (port: number) => Promise<BindResult>;
  holderOf?: (port: number) => PortHolder | undefined;
}

/**
 * Checks `preflight.ports_free`: each port can be bound on 0.0.0.0 now. A port in use names
 * the process that holds it when /proc can tell. Binding changes nothing, so `procinit check`
 * runs the same test.
 */
export async function checkPorts(ports: readonly number[], deps: PortCheckDeps): Promise<PreflightLine[]> {
  const bind = deps.bind ?? tryBind;
  const holderOf = deps.holderOf ?? ((port: number) => findPortHolder(port));
  const lines: PreflightLine[] = [];
  for (const port of ports) {
    lines.push(
      await timedAsync(deps.now, async () => {
        const subject = String(port);
        const result = await bind(port);
        if (result === 'free') return preflightLine('port', subject, 'ok', 'free');
        if (result === 'EADDRINUSE') {
          const holder = holderOf(port);
          const by = holder ? ` by pid ${holder.pid} (${holder.name})` : '';
          return preflightLine('port', subject, 'fail', `in use${by}`, {
            fix: `stop what listens on ${port}, or change the port of the process that needs it`,
          });
        }
        if (result === 'EACCES') {
          return preflightLine(
            'port',
            subject,
            'fail',
            'cannot bind: permission denied (a port below 1024 needs root)',
            {
              fix: 'run procinit as root, or use a port of 1024 or more',
            },
          );
        }
        return preflightLine('port', subject, 'fail', `cannot bind: ${result}`);
      }),
    );
  }
  return lines;
}
