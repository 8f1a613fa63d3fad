import { reportFailure } from './fail.js';
import { parseCommandLine } from './program.js';

/**
 * procinit's entry point: parse, run the chosen command, exit with its code. Commands are
 * imported lazily, so `procinit healthcheck` never loads the supervisor and `run` never loads
 * the YAML schema code it does not need.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const verbose = argv.some((arg) => /^-v+$/.test(arg) || arg === '--verbose');
  let exitCode: number;
  try {
    exitCode = await dispatch(argv);
  } catch (error) {
    exitCode = reportFailure(error, verbose);
  }
  process.exitCode = exitCode;
  process.exit(exitCode);
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const invocation = parseCommandLine(argv);
  switch (invocation.command) {
    case 'done':
      return invocation.exitCode;
    case 'run':
      return (await import('./run-command.js')).runCommand(invocation.options);
    case 'config':
      return (await import('./config-command.js')).configCommand(invocation.options);
    case 'check':
      return (await import('./check-command.js')).checkCommand(invocation.options);
    case 'healthcheck':
      return (await import('./healthcheck-command.js')).healthcheckCommand(invocation.options);
    case 'status':
      return (await import('./status-command.js')).statusCommand(invocation.options);
    case 'schema':
      return (await import('./schema-command.js')).schemaCommand();
  }
}
