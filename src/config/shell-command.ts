/**
 * Deciding whether a Procfile command is one simple command, and making `/bin/sh -c` exec it.
 *
 * Why: Debian's dash does not exec the last command of `sh -c` by itself, so without an
 * explicit `exec` the supervised pid would be a shell that neither reports the program's pid
 * nor passes signals on (SPEC §2.1, §5). A compound command keeps its shell and is signalled
 * as a process group instead. When in doubt the lexer says "compound": that only costs one
 * shell process, while a wrong `exec` would change what the command does.
 */

/** A word of the command: its raw text (quotes kept) and where it starts in the command. */
interface Word {
  start: number;
  text: string;
}

interface Lexed {
  words: Word[];
  /** A control operator, subshell, brace group, substitution or newline was seen unquoted. */
  compound: boolean;
}

/** Reserved words that start a compound command (`{`, `}` and `(` are caught as characters). */
const SHELL_KEYWORDS = new Set(
  'if then else elif fi while until for do done case esac in ! [[ ]] function select'.split(' '),
);

/**
 * Builtins with no program of the same name: `exec cd` or `exec export` would fail, so a
 * command starting with one of them keeps its shell.
 */
const SHELL_ONLY_BUILTINS = new Set(
  (
    ': . source cd eval set unset export readonly local trap wait read ulimit umask shift return exit ' +
    'break continue alias unalias times type hash getopts jobs fg bg command builtin'
  ).split(' '),
);

const OPERATOR_CHARS = new Set([';', '|', '(', ')', '{', '}', '`', '\n']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Index just past the quote that closes the one at `open`, or -1 when it is never closed. */
function skipSingleQuoted(cmd: string, open: number): number {
  const close = cmd.indexOf("'", open + 1);
  return close === -1 ? -1 : close + 1;
}

/** Like skipSingleQuoted for `"…"`; sets `compound` on `` ` `` or `$(` inside. */
function skipDoubleQuoted(cmd: string, open: number, state: { compound: boolean }): number {
  let i = open + 1;
  while (i < cmd.length) {
    const c = cmd[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '`' || (c === '$' && cmd[i + 1] === '(')) {
      state.compound = true;
      i += 1;
    } else i += 1;
  }
  return -1;
}

/** Index just past the `}` that closes the `${` at `dollar`, or -1. */
function skipParameterExpansion(cmd: string, dollar: number): number {
  let depth = 0;
  for (let i = dollar + 1; i < cmd.length; i += 1) {
    if (cmd[i] === '{') depth += 1;
    else if (cmd[i] === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Splits a command into words, noting anything that makes it compound. */
function lex(cmd: string): Lexed {
  const words: Word[] = [];
  const state = { compound: false };
  let wordStart = -1;
  let i = 0;
  const endWord = (end: number) => {
    if (wordStart !== -1) words.push({ start: wordStart, text: cmd.slice(wordStart, end) });
    wordStart = -1;
  };
  while (i < cmd.length && !state.compound) {
    const c = cmd[i] as string;
    if (c === ' ' || c === '\t') {
      endWord(i);
      i += 1;
      continue;
    }
    if (c === '#' && wordStart === -1) break; // a comment runs to the end
    if (OPERATOR_CHARS.has(c)) {
      state.compound = true;
      break;
    }
    // `>&` and `<&` duplicate descriptors (`2>&1`); any other `&` runs something in the background.
    if (c === '&' && cmd[i - 1] !== '>' && cmd[i - 1] !== '<') {
      state.compound = true;
      break;
    }
    if (wordStart === -1) wordStart = i;
    let next = i + 1;
    if (c === '\\') next = i + 2;
    else if (c === "'") next = skipSingleQuoted(cmd, i);
    else if (c === '"') next = skipDoubleQuoted(cmd, i, state);
    else if (c === '$' && cmd[i + 1] === '(') state.compound = true;
    else if (c === '$' && cmd[i + 1] === '{') next = skipParameterExpansion(cmd, i);
    // An unclosed quote is a syntax error the shell will report; keep the shell to report it.
    if (next === -1) state.compound = true;
    i = next;
  }
  if (!state.compound) endWord(cmd.length);
  return { words, compound: state.compound };
}

/** Removes quoting from a word, for comparing it with builtin names. */
function unquote(word: string): string {
  return word.replace(/\\(.)/g, '$1').replace(/['"]/g, '');
}

/** The word that names the program, after any leading `VAR=value` assignments. */
function commandWord(lexed: Lexed): Word | undefined {
  return lexed.words.find((word) => !ASSIGNMENT.test(word.text));
}

/**
 * True when `cmd` is one simple command that `sh -c` can exec: no `;`, `&&`, `||`, `|`, `&`,
 * subshell, braces, command substitution or newline outside quotes; not starting with a shell
 * keyword (`if`, `while`, `!` …) or a builtin that has no program (`cd`, `export` …).
 */
export function isSimpleCommand(cmd: string): boolean {
  const lexed = lex(cmd);
  if (lexed.compound) return false;
  const word = commandWord(lexed);
  if (!word) return false;
  if (SHELL_KEYWORDS.has(word.text)) return false;
  return !SHELL_ONLY_BUILTINS.has(unquote(word.text));
}

/**
 * The text `sh -c` should run: a simple command gets `exec ` in front of the program word,
 * after any leading assignments, since `FOO=bar exec cmd` passes FOO while `exec FOO=bar cmd`
 * tries to run a program called `FOO=bar`. Anything else is returned unchanged.
 */
export function execText(cmd: string): string {
  if (!isSimpleCommand(cmd)) return cmd;
  const word = commandWord(lex(cmd)) as Word;
  if (unquote(word.text) === 'exec') return cmd;
  return `${cmd.slice(0, word.start)}exec ${cmd.slice(word.start)}`;
}

/** The argv that runs a Procfile command: `['/bin/sh', '-c', 'exec gunicorn …']`. */
export function shellArgv(cmd: string): string[] {
  return ['/bin/sh', '-c', execText(cmd)];
}
