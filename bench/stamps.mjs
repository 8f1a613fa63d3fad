// Stamps: the instants the C helpers record (bench/helpers/stamp.h), one `EVENT TAG PID NS` line
// each in the file named by $BENCH_STAMPS, NS being CLOCK_MONOTONIC in nanoseconds. The helpers
// take the time themselves, so how soon the harness reads the file never enters a figure: the
// harness only polls it to know when to go on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const POLL_MS = 2;

/** An empty stamp file in `dir`, and the environment that makes the helpers write to it. */
export function createStamps(dir, env, name = 'stamps') {
  const path = join(dir, `${name}.txt`);
  writeFileSync(path, '');
  return { path, env: { ...env, BENCH_STAMPS: path } };
}

/** Empties the stamp file between runs. */
export function clearStamps(stamps) {
  writeFileSync(stamps.path, '');
}

/** Every stamp so far, in file order: `{ event, tag, pid, ms }`, `ms` on the clock of nowMs(). */
export function readStamps(stamps) {
  const stampList = [];
  for (const line of readFileSync(stamps.path, 'latin1').split('\n')) {
    const [event, tag, pid, ns] = line.split(' ');
    // A line being written right now may be cut short: it is read whole on the next poll.
    if (ns === undefined) continue;
    stampList.push({ event, tag, pid: Number(pid), ms: Number(ns) / 1e6 });
  }
  return stampList;
}

/** The stamps of one event. */
export function stampsOf(stampList, event) {
  return stampList.filter((stamp) => stamp.event === event);
}

/**
 * Polls the stamp file until `done(stamps)` returns something truthy, and resolves with it;
 * rejects after `timeoutMs` saying `what` never happened, with the stamps seen.
 */
export async function waitForStamps(stamps, done, { timeoutMs, what }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stampList = readStamps(stamps);
    const result = done(stampList);
    if (result) return result;
    if (performance.now() > deadline) {
      const seen = stampList.slice(-10).map((s) => `${s.event} ${s.tag} ${s.pid}`);
      throw new Error(`${what} did not happen within ${timeoutMs} ms (last stamps: ${seen.join(', ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Waits for `count` stamps of `event`, and resolves with them. */
export function waitForEvents(stamps, event, count, { timeoutMs, what }) {
  return waitForStamps(
    stamps,
    (stampList) => {
      const found = stampsOf(stampList, event);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, what: what ?? `${count} × ${event}` },
  );
}
