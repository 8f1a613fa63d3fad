import { maskText } from '../core/secrets.js';
import type { ProblemDetails } from '../errors.js';

/** One `NAME: COMMAND` line of a Procfile, with its 1-based line number. */
export interface ProcfileEntry {
  name: string;
  command: string;
  line: number;
}

/** Every entry of a Procfile and every problem found in it (all of them, not the first). */
export interface ProcfileParseResult {
  entries: ProcfileEntry[];
  problems: ProblemDetails[];
}

/** A process type name, as foreman accepts it. */
export const PROCESS_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

// foreman's own line pattern, with whitespace allowed around the colon (SPEC §2.1).
const ENTRY_LINE = /^([A-Za-z0-9_-]+)\s*:(.*)$/;

const FIX_FORMAT = 'write one process per line as NAME: COMMAND, NAME made of letters, digits, _ or -';

/** One non-blank, non-comment line: its entry, or the problem with it. */
function parseLine(
  trimmed: string,
  where: { file: string; line: number },
  firstLineOf: ReadonlyMap<string, number>,
): ProcfileEntry | ProblemDetails {
  const match = ENTRY_LINE.exec(trimmed);
  if (!match) {
    return {
      code: 'procfile.malformed-line',
      what: `malformed line ${JSON.stringify(maskText(trimmed))}`,
      why: 'a Procfile line must be NAME: COMMAND',
      fix: FIX_FORMAT,
      where,
    };
  }
  const name = match[1] as string;
  const command = (match[2] as string).trim();
  if (command === '') {
    return {
      code: 'procfile.empty-command',
      what: `empty command for process "${name}" in line ${JSON.stringify(trimmed)}`,
      fix: `write the command after the colon: ${name}: COMMAND`,
      where,
    };
  }
  const first = firstLineOf.get(name);
  if (first !== undefined) {
    return {
      code: 'procfile.duplicate-name',
      what: `duplicate process name "${name}" (first on line ${first})`,
      why: `line ${where.line} is ${JSON.stringify(maskText(trimmed))}; each process type must be defined once`,
      fix: 'rename one of them, or use instances (procinit.yaml) or -m to run several',
      where,
    };
  }
  return { name, command, line: where.line };
}

/**
 * Parses a foreman-compatible Procfile (SPEC §2.1). `file` is the name used in problem
 * locations (`Procfile:3: …`). Blank lines and `#` comments are skipped; CRLF line ends and
 * a UTF-8 byte order mark are accepted, since Procfiles are often edited on Windows.
 */
export function parseProcfile(text: string, file: string): ProcfileParseResult {
  const entries: ProcfileEntry[] = [];
  const problems: ProblemDetails[] = [];
  const firstLineOf = new Map<string, number>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const parsed = parseLine(trimmed, { file, line: index + 1 }, firstLineOf);
      if ('code' in parsed) {
        problems.push(parsed);
        return;
      }
      firstLineOf.set(parsed.name, parsed.line);
      entries.push(parsed);
    });
  return { entries, problems };
}
