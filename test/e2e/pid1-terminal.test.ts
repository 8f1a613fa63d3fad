import { describe, expect, it } from 'vitest';
import { requireUnshare } from '../helpers/capabilities.js';
import { PROCINIT_BIN } from '../helpers/procinit.js';
import { requireScript, runOnPty } from '../integration/pty.js';
import { UNSHARE, UNSHARE_ARGS } from './pid1-namespace.js';

const CTRL_C = '\x03';
const PROMPT = 'pty-prompt$ ';

/**
 * Types into an interactive `procinit -v -- sh` on a new pseudo-terminal (script(1)), as
 * `docker run -it IMAGE -- sh` would; resolves with what the terminal showed and script's exit
 * code, which is procinit's (script -e; unshare --fork passes its child's code on).
 *
 * runOnPty types each keystroke once its cue is anywhere in the output so far, so every cue is
 * printed exactly once: the shell computes it ($((…))), and the typed text (echoed by the
 * terminal) never contains it.
 */
function interactiveSession(asPid1: boolean) {
  // -v: procinit logs every signal it receives, so a Ctrl-C that reached it would show.
  const procinit = [process.execPath, PROCINIT_BIN, '-v', '--', 'sh'];
  const command = [`PS1='${PROMPT}'`, ...(asPid1 ? [UNSHARE, ...UNSHARE_ARGS] : []), ...procinit];
  return runOnPty(
    command.join(' '),
    [
      { after: PROMPT, type: 'echo hi-$((1+2))\n' },
      // The job prints its cue itself and then becomes sleep, so it surely runs when Ctrl-C
      // comes (should Ctrl-C come during the exec, its shell takes the SIGINT just the same).
      { after: 'hi-3', type: "sh -c 'echo sleeping-$((2*3)); exec sleep 30'\n" },
      { after: 'sleeping-6', type: CTRL_C },
      // Read by the shell only once the sleep has ended: the 20 s limit is shorter than the
      // sleep, so seeing its answer proves Ctrl-C interrupted it.
      { after: '^C', type: 'echo back-$?-$((3+4))\n' },
      { after: '-7\n', type: 'exit 7\n' },
    ],
    20_000,
  );
}

/** What both variants must show. */
async function expectUsableShell(asPid1: boolean): Promise<void> {
  const { output, code } = await interactiveSession(asPid1);
  expect(output).toContain('hi-3');
  expect(output).toContain('back-130-7'); // sleep was killed by SIGINT (128+2), the prompt is back
  expect(output).not.toMatch(/received SIG(INT|TERM)/); // the Ctrl-C never reached procinit
  expect(output).toContain('critical process sh.1 ended with 7');
  expect({ code, summary: output.includes('procinit exits with code 7') }).toEqual({
    code: 7,
    summary: true,
  });
}

const title =
  'gives a usable shell: Ctrl-C interrupts the foreground job, not procinit; exit 7 ends procinit with 7';

describe.skipIf(requireScript().skip)('procinit -- sh on a terminal', () => {
  it(title, () => expectUsableShell(false));
});

describe.skipIf(requireUnshare().skip || requireScript().skip)(
  'procinit -- sh as PID 1 on a terminal (unshare --pid --fork)',
  () => {
    it(title, () => expectUsableShell(true));
  },
);
