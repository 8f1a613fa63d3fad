/**
 * `procinit status` (SPEC §3): the processes of a running procinit, as a table or as the raw
 * /health JSON. Like `healthcheck`, it loads neither the supervisor nor prom-client.
 */
import { parseDuration } from '../config/duration.js';
import { isHealthBody, renderStatusTable } from '../observe/status-table.js';
import {
  type CommandContext,
  DEFAULT_HEALTHCHECK_TIMEOUT,
  defaultContext,
  getHealth,
  type HealthTargetFlags,
  oneLine,
  resolveTarget,
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
  const timeout = parseDuration(options.timeout ?? DEFAULT_HEALTHCHECK_TIMEOUT);
  if (!timeout.ok || timeout.ms === 0) {
    return fail(`--timeout: ${timeout.ok ? 'expected a duration above 0, found 0' : timeout.message}`);
  }
  let target: { host: string; port: number };
  try {
    target = await resolveTarget(options, context);
  } catch (error) {
    return fail(oneLine(error));
  }
  if (target.port === 0) return fail('the health server is disabled (health port 0)');
  const answer = await getHealth(target, timeout.ms);
  if (!answer.ok) return fail(answer.reason);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (!isHealthBody(body)) {
    return fail(
      `the answer on port ${target.port} (HTTP ${answer.statusCode}) is not a procinit health body`,
    );
  }
  if (options.json) {
    await context.writeOut(answer.body.endsWith('\n') ? answer.body : `${answer.body}\n`);
  } else {
    await context.writeOut(renderStatusTable(body, context.nowMs()));
  }
  return 0;
}
