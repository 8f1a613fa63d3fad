import type { ProblemDetails } from '../errors.js';

/** The variables of one .env file, in file order, and every problem found in it. */
export interface EnvFileParseResult {
  vars: Record<string, string>;
  problems: ProblemDetails[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
  $: '$',
};

interface Cursor {
  lines: string[];
  index: number;
}

type ValueResult = { ok: true; value: string } | { ok: false; what: string };

/**
 * Reads a quoted value starting just after its opening quote in `rest`; a value may continue
 * on the following lines (dotenv does this for certificates and keys), so the cursor moves on.
 * What follows the closing quote may only be a `#` comment.
 */
function readQuoted(rest: string, quote: string, cursor: Cursor): ValueResult {
  let text = rest;
  let value = '';
  for (;;) {
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i] as string;
      if (c === quote) {
        const after = text.slice(i + 1).trim();
        if (after !== '' && !after.startsWith('#')) {
          return { ok: false, what: `unexpected text ${JSON.stringify(after)} after the closing ${quote}` };
        }
        return { ok: true, value };
      }
      if (quote === '"' && c === '\\' && i + 1 < text.length) {
        const next = text[i + 1] as string;
        value += DOUBLE_QUOTE_ESCAPES[next] ?? `\\${next}`;
        i += 1;
      } else value += c;
    }
    if (cursor.index + 1 >= cursor.lines.length) return { ok: false, what: `unterminated ${quote} quote` };
    cursor.index += 1;
    text = cursor.lines[cursor.index] as string;
    value += '\n';
  }
}

/** An unquoted value: trimmed, with a ` #` comment removed (a `#` inside a word is kept). */
function readUnquoted(rest: string): string {
  return rest.replace(/(^|\s)#.*$/, '').trim();
}

/**
 * Parses a .env file: `KEY=VALUE` lines, an optional `export ` prefix, single quotes
 * (literal), double quotes (`\n`, `\t`, `\"`, `\\` escapes; may span lines), `#` comments and
 * blank lines. Values are not expanded (`$OTHER` stays as written), as with foreman and
 * Docker's --env-file. A later line for the same key wins, as in a shell.
 */
export function parseEnvFile(text: string, file: string): EnvFileParseResult {
  const vars = new Map<string, string>();
  const problems: ProblemDetails[] = [];
  const cursor: Cursor = { lines: text.replace(/^\uFEFF/, '').split(/\r?\n/), index: 0 };
  for (; cursor.index < cursor.lines.length; cursor.index += 1) {
    const line = cursor.index + 1;
    const trimmed = (cursor.lines[cursor.index] as string).trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const problem = (what: string, fix: string): void => {
      problems.push({ code: 'env-file.malformed-line', what, fix, where: { file, line } });
    };
    const body = trimmed.replace(/^export\s+/, '');
    const equals = body.indexOf('=');
    if (equals === -1) {
      // Only the first word: the rest may be a secret written as `export API_KEY sk-…`.
      const start = body.split(/\s/, 1)[0] as string;
      problem(`malformed line starting ${JSON.stringify(start)}: no "="`, 'write KEY=VALUE');
      continue;
    }
    const key = body.slice(0, equals).trim();
    if (!ENV_NAME.test(key)) {
      problem(
        `invalid variable name ${JSON.stringify(key)}`,
        'a name is letters, digits and _, not starting with a digit',
      );
      continue;
    }
    const rest = body.slice(equals + 1).trimStart();
    const quote = rest[0];
    const result: ValueResult =
      quote === '"' || quote === "'"
        ? readQuoted(rest.slice(1), quote, cursor)
        : { ok: true, value: readUnquoted(rest) };
    if (!result.ok) {
      problem(`${result.what} in the value of ${key}`, 'close the quote, or escape it inside the value');
      continue;
    }
    vars.set(key, result.value);
  }
  return { vars: Object.fromEntries(vars), problems };
}
