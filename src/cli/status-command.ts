/**
 * `procinit status` (SPEC §3): the processes of a running procinit, as a table or as the raw
 * /health JSON. Like `healthcheck`, it loads neither the supervisor nor prom-client.
 */
import { isHealthBody, renderStatusTable } from '../observe/status-table.js';
import {
  askHealth,
  type CommandContext,
  defaultContext,
  type HealthTargetFlags,
} from './healthcheck-command.js';

export interface StatusOptions extends HealthTargetFlags {
  /** Print the /health body as received instead of a table. */
  json?: boolean;
  /** Default 3s. */
  timeout?: string;
}

export interface StatusContext extends CommandContext {
  writeOut(text: string): void | Promise<void>;
  nowMs(): number;
}

function defaultStatusContext(): StatusContext {
  return {
    ...defaultContext(),
    // Awaited, so the whole table is out before main() calls process.exit.
    writeOut: (text) =>
      new Promise<void>((resolve, reject) =>
        process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
      ),
    nowMs: Date.now,
  };
}

/** Exits 0 when procinit answered (whatever its status), 1 when it could not be asked. */
export async function statusCommand(
  options: StatusOptions,
  context: StatusContext = defaultStatusContext(),
): Promise<number> {
  const fail = (why: string): number => {
    context.writeErr(`procinit status: ${why}\n`);
    return 1;
  };
  const answer = await askHealth(options, context);
  if (!answer.ok) return fail(answer.reason);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (!isHealthBody(body)) {
    return fail(
      `the answer on port ${answer.port} (HTTP ${answer.statusCode}) is not a procinit health body`,
    );
  }
  if (options.json) {
    await context.writeOut(answer.body.endsWith('\n') ? answer.body : `${answer.body}\n`);
  } else {
    await context.writeOut(renderStatusTable(body, context.nowMs()));
  }
  return 0;
}
