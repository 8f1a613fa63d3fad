/**
 * A small Dockerfile parser, enough for Dockerfile.example: instructions with `\` line
 * continuations and comments, stages split at FROM, flags, exec forms, ENV pairs, and a
 * .dockerignore matcher. Not supported (and refused, rather than misread): heredocs and the
 * `# escape=` directive.
 */

/** One instruction: `COPY --from=build /a /b`, its continuation lines joined. */
export interface Instruction {
  /** Upper case: `COPY`. */
  keyword: string;
  /** Everything after the keyword, continuations joined by a space. */
  args: string;
  /** The line the instruction starts on, 1-based, for messages. */
  line: number;
}

/** The instructions from one FROM to the next. */
export interface Stage {
  index: number;
  /** The `AS name`, if any. */
  name: string | undefined;
  /** The base image: `node:20-bookworm-slim`, or an earlier stage's name. */
  base: string;
  from: Instruction;
  /** Every instruction after FROM, in order. */
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM. */
  preamble: Instruction[];
  stages: Stage[];
}

function toInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match) throw new Error(`line ${line}: cannot read "${text}"`);
  const keyword = (match[1] as string).toUpperCase();
  const args = (match[2] as string).trim();
  if (/^<<-?["']?\w/.test(args.replace(/^(--\S+\s+)*/, ''))) {
    throw new Error(`line ${line}: heredocs are not supported by this parser`);
  }
  return { keyword, args, line };
}

/**
 * The instructions of a Dockerfile. As Docker does, a line whose first non-blank character is
 * `#` is a comment even inside a continuation, and blank lines inside one are skipped.
 */
export function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { line: number; parts: string[] } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (/^#\s*escape\s*=/i.test(trimmed) && instructions.length === 0 && !pending) {
      throw new Error(`line ${index + 1}: the escape directive is not supported by this parser`);
    }
    if (trimmed.startsWith('#') || trimmed === '') return;
    const continued = /\\\s*$/.test(line);
    const content = continued ? line.replace(/\\\s*$/, '') : line;
    pending = pending ?? { line: index + 1, parts: [] };
    pending.parts.push(content.trim());
    if (continued) return;
    instructions.push(toInstruction(pending.parts.join(' '), pending.line));
    pending = undefined;
  });
  if (pending) instructions.push(toInstruction(pending.parts.join(' '), pending.line));
  return instructions;
}

/** The instructions grouped into stages by FROM. */
export function parseDockerfile(text: string): Dockerfile {
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const { rest } = splitFlags(instruction.args);
      const [base, as, name] = rest.split(/\s+/);
      if (!base) throw new Error(`line ${instruction.line}: FROM without an image`);
      const named = as?.toUpperCase() === 'AS' ? name : undefined;
      stages.push({ index: stages.length, name: named, base, from: instruction, instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

/** `--from=build --chown=app:app a b` → flags `{ from: 'build', chown: 'app:app' }` and `a b`. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (
    let match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    match;
    match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[match[1] as string] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** The argv of an exec form (`["procinit", "healthcheck"]`), or undefined for a shell form. */
export function execForm(text: string): string[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const strings = Array.isArray(parsed) && parsed.every((item) => typeof item === 'string');
    return strings ? (parsed as string[]) : undefined;
  } catch {
    return undefined; // Docker runs an invalid JSON array as a shell command
  }
}

/** A COPY or ADD: its flags, sources and destination. */
export function copyOperands(instruction: Instruction): {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
} {
  const { flags, rest } = splitFlags(instruction.args);
  const words = execForm(rest) ?? rest.split(/\s+/).filter(Boolean);
  if (words.length < 2)
    throw new Error(`line ${instruction.line}: ${instruction.keyword} needs a source and a destination`);
  return { flags, sources: words.slice(0, -1), dest: words.at(-1) as string };
}

/** HEALTHCHECK's options and command: exec form (argv), shell form (text), or NONE. */
export function healthcheckCommand(instruction: Instruction): {
  options: Record<string, string>;
  argv?: string[];
  shell?: string;
  none?: true;
} {
  const { flags, rest } = splitFlags(instruction.args);
  if (/^NONE$/i.test(rest)) return { options: flags, none: true };
  const command = rest.replace(/^CMD\s+/i, '');
  const argv = execForm(command);
  return argv ? { options: flags, argv } : { options: flags, shell: command };
}

/** `ENV A=1 B="two words"` → `{ A: '1', B: 'two words' }` (the legacy `ENV A 1` too). */
export function envPairs(instruction: Instruction): Record<string, string> {
  const legacy = /^(\w+)\s+([^=]*)$/.exec(instruction.args);
  if (legacy) return { [legacy[1] as string]: (legacy[2] as string).trim() };
  const pairs: Record<string, string> = {};
  for (const match of instruction.args.matchAll(/(\w+)=(?:"([^"]*)"|'([^']*)'|(\S*))/g)) {
    pairs[match[1] as string] = match[2] ?? match[3] ?? match[4] ?? '';
  }
  return pairs;
}

/** The last stage: what the image is. */
export function finalStage(dockerfile: Dockerfile): Stage {
  const stage = dockerfile.stages.at(-1);
  if (!stage) throw new Error('the Dockerfile has no FROM');
  return stage;
}

/** The instructions of a stage with this keyword, in order. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The stage named (or numbered) `ref` that comes before `before`, if any. */
export function stageNamed(dockerfile: Dockerfile, ref: string, before: Stage): Stage | undefined {
  return dockerfile.stages.find(
    (stage) => stage.index < before.index && (stage.name === ref || String(stage.index) === ref),
  );
}

/** The stage's working directory after all its WORKDIR instructions (`/` by default). */
export function workdirOf(stage: Stage): string {
  let dir = '/';
  for (const { args } of instructionsOf(stage, 'WORKDIR')) {
    dir = args.startsWith('/') ? args : `${dir.replace(/\/$/, '')}/${args}`;
  }
  return dir.replace(/(.)\/$/, '$1');
}

/** `**`/`*` globs of a .dockerignore line as a regular expression over context paths. */
function ignorePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/|\/$/g, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replaceAll('\u0000', '(?:.*/)?');
  // A directory's pattern excludes everything below it too.
  return new RegExp(`^${body}(?:/.*)?$`);
}

/**
 * Whether a context path (relative, `/`-separated) is excluded by a .dockerignore. Enough for
 * ours: `*`, `?` and `**` globs; `!` exceptions are refused rather than ignored.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.some((line) => line.startsWith('!'))) throw new Error('! exceptions are not supported');
  const patterns = lines.map(ignorePattern);
  return (path) => patterns.some((pattern) => pattern.test(path.replace(/^\.\/|\/$/g, '')));
}
