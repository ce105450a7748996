import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandshakeFailures, OTHERS } from '../../src/server/handshake-failures.ts';

describe('HandshakeFailures', () => {
  it('sums failures per address with their reasons, one summary each, in order first seen', () => {
    const failures = new HandshakeFailures();
    failures.record('10.0.0.2', 'CERT_REVOKED', 1_000);
    failures.record('10.0.0.1', 'timeout', 2_000);
    failures.record('10.0.0.2', 'CERT_REVOKED', 3_000);
    failures.record('10.0.0.2', 'ERR_SSL_WRONG_VERSION_NUMBER', 4_000);
    assert.equal(failures.pending, true);
    assert.deepEqual(failures.drain(11_000), [
      {
        address: '10.0.0.2',
        count: 3,
        reasons: { CERT_REVOKED: 2, ERR_SSL_WRONG_VERSION_NUMBER: 1 },
        spanMs: 10_000,
      },
      { address: '10.0.0.1', count: 1, reasons: { timeout: 1 }, spanMs: 9_000 },
    ]);
  });

  it('starts over after a drain', () => {
    const failures = new HandshakeFailures();
    failures.record('10.0.0.1', 'timeout', 0);
    failures.drain(10);
    assert.equal(failures.pending, false);
    assert.deepEqual(failures.drain(20), []);
    failures.record('10.0.0.1', 'timeout', 30);
    assert.deepEqual(failures.drain(40), [
      { address: '10.0.0.1', count: 1, reasons: { timeout: 1 }, spanMs: 10 },
    ]);
  });

  it('tracks at most maxAddresses addresses: the rest are summed as others', () => {
    const failures = new HandshakeFailures({ maxAddresses: 2, maxReasons: 8 });
    for (let i = 1; i <= 1_000; i += 1) failures.record(`10.0.${i >> 8}.${i & 255}`, 'timeout', i);
    failures.record('10.0.0.1', 'CERT_REVOKED', 1_001);
    const summaries = failures.drain(2_000);
    assert.deepEqual(
      summaries.map((s) => [s.address, s.count]),
      [
        ['10.0.0.1', 2],
        ['10.0.0.2', 1],
        [OTHERS, 998],
      ],
    );
    assert.deepEqual(summaries[2]?.reasons, { timeout: 998 });
    assert.equal(summaries[2]?.spanMs, 2_000 - 3, 'from the first failure summed in');
  });

  it('keeps at most maxReasons reasons per address: the rest are summed as other', () => {
    const failures = new HandshakeFailures({ maxAddresses: 10, maxReasons: 2 });
    for (const reason of ['a', 'b', 'c', 'd', 'a', 'c']) failures.record('10.0.0.1', reason, 0);
    assert.deepEqual(failures.drain(0)[0]?.reasons, { a: 2, b: 1, other: 3 });
  });
});
