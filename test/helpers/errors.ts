import assert from 'node:assert/strict';
import { ChatError } from '../../src/errors.ts';

/** Awaits `work`, which must reject with a ChatError of `code`; resolves with that error. */
export async function rejectsWith(work: Promise<unknown>, code: string): Promise<ChatError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ChatError, `expected a ChatError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}
