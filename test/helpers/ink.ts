/** Helpers for ink-testing-library tests: wait for what the screen or stdin shows, never a fixed time. */

/**
 * Resolves once `check()` holds, polling every few ms, and React has run the
 * effects of that screen (see {@link effectsRun}), so the next key meets the
 * handlers of what is shown; rejects after `timeoutMs`.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await effectsRun();
}

/** Resolves once Ink reads the test stdin (its input hooks are subscribed). */
export function inputReady(stdin: NodeJS.EventEmitter): Promise<void> {
  return until(() => stdin.listenerCount('readable') > 0, 'Ink to read stdin');
}

/**
 * Resolves after React has run the effects of what is on screen: a text
 * input that has just appeared reads keys only once its effect subscribed it,
 * and React runs effects in a later turn of the event loop than the frame.
 */
export async function effectsRun(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
