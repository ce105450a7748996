/** Helpers for ink-testing-library tests: wait for what the screen or stdin shows, never a fixed time. */

/** Resolves once `check()` holds, polling every few ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once Ink reads the test stdin (its input hooks are subscribed). */
export function inputReady(stdin: NodeJS.EventEmitter): Promise<void> {
  return until(() => stdin.listenerCount('readable') > 0, 'Ink to read stdin');
}
