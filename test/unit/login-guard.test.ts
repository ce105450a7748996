import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginGuard } from '../../src/server/login-guard.ts';

const MIN = 60_000;
const A = '192.0.2.7';
const B = '198.51.100.1';

/** One finished check from `address` at `now`. */
function attempt(guard: LoginGuard, address: string, ok: boolean, now: number) {
  const start = guard.begin(address, now);
  assert.deepEqual(start, { ok: true }, `a check from ${address} may start at ${now}`);
  return guard.end(address, ok, now);
}

describe('LoginGuard', () => {
  it('counts failures per address and locks it out at the 5th, for 5 minutes', () => {
    const guard = new LoginGuard();
    for (let i = 1; i <= 4; i++) assert.deepEqual(attempt(guard, A, false, i), { failures: i });
    assert.equal(guard.lockedFor(A, 4), undefined);
    assert.deepEqual(attempt(guard, A, false, 5), { failures: 0, lockedForMs: 5 * MIN });
    assert.equal(guard.lockedFor(A, 5), 5 * MIN);
    assert.deepEqual(guard.begin(A, 5 + MIN), { ok: false, why: 'locked', retryInMs: 4 * MIN });
    assert.equal(guard.lockedFor(B, 5), undefined, 'another address is not locked');
    assert.deepEqual(guard.begin(B, 5), { ok: true });
  });

  it('lets the address try again once the lock is over, with a new count', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 5; i++) attempt(guard, A, false, 0);
    assert.equal(guard.lockedFor(A, 5 * MIN - 1), 1);
    assert.equal(guard.lockedFor(A, 5 * MIN), undefined);
    assert.deepEqual(attempt(guard, A, false, 5 * MIN), { failures: 1 });
  });

  it('forgets the failures after a success', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 4; i++) attempt(guard, A, false, i);
    assert.deepEqual(attempt(guard, A, true, 10), { failures: 0 });
    for (let i = 1; i <= 4; i++)
      assert.deepEqual(attempt(guard, A, false, 10 + i), { failures: i });
  });

  it('keeps failures for 15 minutes after the last one', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 4; i++) attempt(guard, A, false, 0);
    assert.deepEqual(attempt(guard, A, false, 15 * MIN - 1), { failures: 0, lockedForMs: 5 * MIN });
  });

  it('starts a new count after 15 quiet minutes', () => {
    const guard = new LoginGuard();
    for (let i = 0; i < 4; i++) attempt(guard, A, false, 0);
    assert.deepEqual(attempt(guard, A, false, 15 * MIN), { failures: 1 });
  });

  it('runs at most as many checks at once as the address has failures left', () => {
    const guard = new LoginGuard({ maxFailures: 3 });
    attempt(guard, A, false, 0);
    assert.deepEqual(guard.begin(A, 1), { ok: true });
    assert.deepEqual(guard.begin(A, 1), { ok: true });
    assert.deepEqual(guard.begin(A, 1), { ok: false, why: 'busy' });
    assert.deepEqual(guard.end(A, false, 2), { failures: 2 });
    assert.deepEqual(guard.begin(A, 2), { ok: false, why: 'busy' });
    assert.deepEqual(guard.end(A, true, 3), { failures: 0 });
    assert.deepEqual(guard.begin(A, 3), { ok: true });
  });

  it('counts nothing for a check released unmade', () => {
    const guard = new LoginGuard({ maxFailures: 1 });
    assert.deepEqual(guard.begin(A, 0), { ok: true });
    assert.deepEqual(guard.begin(A, 0), { ok: false, why: 'busy' });
    guard.release(A, 0);
    assert.equal(guard.size, 0);
    assert.deepEqual(guard.begin(A, 0), { ok: true });
  });

  it('takes its limits as options', () => {
    const guard = new LoginGuard({ maxFailures: 2, lockMs: 1_000 });
    attempt(guard, A, false, 0);
    assert.deepEqual(attempt(guard, A, false, 0), { failures: 0, lockedForMs: 1_000 });
    assert.equal(guard.lockedFor(A, 999), 1);
  });

  it('remembers only addresses that matter, and never drops a lock for room', () => {
    const guard = new LoginGuard({ maxAddresses: 3 });
    attempt(guard, A, true, 0);
    assert.equal(guard.size, 0, 'a success leaves nothing behind');
    for (let i = 0; i < 5; i++) attempt(guard, A, false, 0);
    for (let n = 0; n < 10; n++) attempt(guard, `10.0.0.${n}`, false, 1);
    assert.equal(guard.size, 3);
    assert.equal(guard.lockedFor(A, 2), 5 * MIN - 2);
  });
});
