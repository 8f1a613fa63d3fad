/** Options for {@link waitFor}: how long to wait, and what is being waited for (for the failure). */
export interface WaitForOptions {
  timeoutMs: number;
  what: string;
  intervalMs?: number;
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. Fails after
 * `timeoutMs` saying what never happened, instead of a test that sleeps and hopes.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs, what, intervalMs = 10 }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
