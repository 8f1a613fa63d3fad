import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import type { CliOptions } from '../config/resolved-config.js';
import { usageError } from '../errors.js';
import { VERSION } from '../version.js';

/** What the command line asked for, once parsed. */
export type Invocation =
  | { command: 'run' | 'config' | 'check'; options: CliOptions }
  | { command: 'healthcheck'; options: { port?: number; host?: string; timeout?: string; config?: string } }
  | {
      command: 'status';
      options: { port?: number; host?: string; json?: boolean; timeout?: string; config?: string };
    }
  | { command: 'schema' }
  | { command: 'done'; exitCode: number };

function integer(what: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
}

/** The commands that take options (the help lists them as `NAME [options]`). */
const OPTIONS_TAKERS = new Set(['run', 'config', 'check', 'healthcheck', 'status']);

/** The options `run`, `config` and `check` share: they all resolve the same configuration. */
function addRunOptions(command: Command): Command {
  return command
    .option('-f, --procfile <path>', 'the Procfile (default ./Procfile; PROCINIT_PROCFILE)')
    .option('-c, --config <path>', 'procinit.yaml (default ./procinit.yaml if present; PROCINIT_CONFIG)')
    .option(
      '-e, --env-file <path>',
      'an env file to load; repeatable (PROCINIT_ENV_FILE)',
      collect,
      undefined,
    )
    .option('-m, --formation <spec>', 'instances per type: web=1,worker=2 or all=N (PROCINIT_FORMATION)')
    .option('--only <names>', 'run only these process types: web,worker')
    .option(
      '--health-port <n>',
      'health port, 0 disables it (PROCINIT_HEALTH_PORT)',
      integer('a port', 0, 65535),
    )
    .option('--health-host <host>', 'health server address (PROCINIT_HEALTH_HOST)')
    .option('--shutdown-timeout <duration>', 'grace period before SIGKILL (PROCINIT_SHUTDOWN_TIMEOUT)')
    .addOption(
      new Option('--log-format <format>', 'pretty, json or raw (PROCINIT_LOG_FORMAT)').choices([
        'pretty',
        'json',
        'raw',
      ]),
    )
    .option('--timestamps', 'prefix output lines with the time')
    .option(
      '-v, --verbose',
      'explain every decision; -vv adds probe attempts',
      (_: string, n: number) => n + 1,
      0,
    )
    .option('-q, --quiet', "only warnings and errors of procinit's own")
    .option(
      '--port <base>',
      "foreman's PORT: BASE + 100 × type index + instance - 1",
      integer('a port', 1, 65535),
    )
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)');
}

/** The options of `healthcheck` and `status`: where the running procinit's health port is. */
function addClientOptions(command: Command): Command {
  return command
    .option(
      '--port <n>',
      'health port (default: PROCINIT_HEALTH_PORT, health.port, 8099)',
      integer('a port', 1, 65535),
    )
    .option(
      '--host <host>',
      'health host (default: PROCINIT_HEALTH_HOST, health.host; 127.0.0.1 for 0.0.0.0)',
    )
    .option('--timeout <duration>', 'give up after this long (default 3s)')
    .option('-c, --config <path>', 'procinit.yaml to read health: from');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function withoutUndefined<T extends object>(raw: T): T {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined)) as T;
}

/** Commander's parsed options, narrowed to CliOptions without undefined-valued keys. */
function toCliOptions(raw: Record<string, unknown>, command: string[] | undefined): CliOptions {
  const options = withoutUndefined(raw);
  // commander names `-e, --env-file` envFile; it is repeatable, so CliOptions calls it envFiles.
  if (options.envFile !== undefined) {
    options.envFiles = options.envFile;
    delete options.envFile;
  }
  if (command) options.command = command;
  return options as CliOptions;
}

/**
 * Parses argv. Everything after the first `--` is the single command (SPEC §3), split off
 * before commander sees it so a program's own flags are never taken for procinit's.
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const dashes = argv.indexOf('--');
  const ours = dashes === -1 ? [...argv] : argv.slice(0, dashes);
  const command = dashes === -1 ? undefined : argv.slice(dashes + 1);
  if (command && command.length === 0) {
    throw usageError({
      code: 'cli.empty-command',
      what: 'nothing follows "--"',
      fix: 'write the command after it: procinit -- gunicorn app:app',
    });
  }
  let invocation: Invocation = { command: 'done', exitCode: 0 };
  const program = new Command('procinit')
    .description('A process supervisor for containers: runs a Procfile as PID 1.')
    .version(VERSION, '--version')
    .exitOverride()
    .showSuggestionAfterError(true)
    // Commands list `[options]` even when theirs were not declared in this run (see `named`).
    .configureHelp({
      subcommandTerm: (cmd) => {
        const term = new Help().subcommandTerm(cmd);
        const name = cmd.name();
        return OPTIONS_TAKERS.has(name) && !term.includes('[options]')
          ? term.replace(name, `${name} [options]`)
          : term;
      },
    })
    .addHelpText(
      'after',
      '\nWithout a command procinit runs the Procfile (`run`): see `procinit run --help` for its\n' +
        'options (-v, -m, --only, --health-port, …). `procinit -- CMD ARGS` supervises one command.',
    );
  // A command's options are declared only when its name is on the command line (run always:
  // it is the default). The top-level help lists commands, not their options, and declaring all
  // of them was ~1 ms of every start.
  const named = (name: string) => name === 'run' || ours.includes(name);
  const subcommand = (name: string, description: string, addOptions: (command: Command) => Command) => {
    const sub = program.command(name, { isDefault: name === 'run' }).description(description);
    return named(name) ? addOptions(sub) : sub;
  };
  subcommand('run', 'run the processes (the default)', addRunOptions).action((raw) => {
    invocation = { command: 'run', options: toCliOptions(raw, command) };
  });
  subcommand('config', 'print the resolved configuration, secrets masked', addRunOptions).action((raw) => {
    invocation = { command: 'config', options: toCliOptions(raw, command) };
  });
  subcommand('check', 'preflight only: change nothing; exit 0 or 78', addRunOptions).action((raw) => {
    invocation = { command: 'check', options: toCliOptions(raw, command) };
  });
  subcommand(
    'healthcheck',
    'exit 0 when /health of the running procinit says 200, else 1 (no curl needed)',
    addClientOptions,
  ).action((raw) => {
    invocation = { command: 'healthcheck', options: withoutUndefined(raw) };
  });
  subcommand('status', 'a table of the processes of a running procinit', (status) =>
    addClientOptions(status).option('--json', 'print the /health body as JSON'),
  ).action((raw) => {
    invocation = { command: 'status', options: withoutUndefined(raw) };
  });
  program
    .command('schema')
    .description('print the JSON Schema of procinit.yaml')
    .action(() => {
      invocation = { command: 'schema' };
    });
  try {
    program.parse(ours, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0;
      // Docker reserves a HEALTHCHECK exit of 2, so even a usage error there is plain "unhealthy".
      const usageExit = ours[0] === 'healthcheck' ? 1 : 2;
      return { command: 'done', exitCode: ok ? 0 : usageExit };
    }
    throw error;
  }
  return invocation;
}
