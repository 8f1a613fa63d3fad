// The options every benchmark script takes (run-all passes them on), and their parsing.
import { parseArgs } from './lib.mjs';
import { selectProcinit } from './procinit-under-test.mjs';

/** The options every benchmark takes; run-all passes them on. */
export const COMMON_SPEC = { runs: 'number', quick: 'boolean', procinit: 'string', json: 'string' };

/** Their lines of a usage text (the script adds its own `--runs` default). */
export const COMMON_USAGE = `  --quick           a short version (fewer runs, smaller loads)
  --procinit PATH   the procinit to measure (also $BENCH_PROCINIT; default: package.json's
                    bin, what npx procinit runs); a .js/.mjs file or a node script runs under
                    this node, anything else (a single binary) as it is
  --json PATH       write the results there instead of bench/results/<name>-<date>.json`;

/**
 * Parses a benchmark's arguments: {@link COMMON_SPEC} plus its own. `--procinit` selects the
 * binary for every {@link procinitArgv} after this call.
 */
export function parseBenchArgs(argv, spec, usage) {
  const args = parseArgs(argv, { ...COMMON_SPEC, ...spec }, usage);
  if (args.procinit !== undefined) selectProcinit(args.procinit);
  return args;
}
