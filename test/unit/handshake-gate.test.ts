import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, HandshakeGate } from '../../src/server/handshake-gate.ts';

describe('HandshakeGate', () => {
  it('admits up to the per-address cap, then refuses that address only', () => {
    const gate = new HandshakeGate({ maxHandshakes: 100, maxHandshakesPerAddress: 2 });
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'address_full');
    assert.equal(gate.admit('10.0.0.2'), 'admitted', 'another address is not affected');
    assert.equal(gate.total, 3, 'a refused socket is not counted');
    assert.equal(gate.of('10.0.0.1'), 2);
  });

  it('refuses everyone at the total cap, naming a full address first', () => {
    const gate = new HandshakeGate({ maxHandshakes: 3, maxHandshakesPerAddress: 2 });
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.2'), 'admitted');
    assert.equal(gate.admit('10.0.0.3'), 'server_full');
    assert.equal(gate.admit('10.0.0.1'), 'address_full');
    gate.release('10.0.0.2');
    assert.equal(gate.admit('10.0.0.3'), 'admitted', 'a released place is free again');
  });

  it('gives a place back once per release, and never below zero', () => {
    const gate = new HandshakeGate({ maxHandshakes: 10, maxHandshakesPerAddress: 1 });
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    gate.release('10.0.0.1');
    gate.release('10.0.0.1');
    assert.equal(gate.total, 0);
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'address_full');
  });

  it('counts an IPv6 /64 as one address, and IPv4-mapped addresses as IPv4', () => {
    const gate = new HandshakeGate({ maxHandshakes: 10, maxHandshakesPerAddress: 2 });
    assert.equal(gate.admit('2001:db8:1:2::1'), 'admitted');
    assert.equal(gate.admit('2001:db8:1:2:ffff:ffff:ffff:ffff'), 'admitted');
    assert.equal(gate.admit('2001:db8:1:2:abcd::9'), 'address_full', 'same /64');
    assert.equal(gate.admit('2001:db8:1:3::1'), 'admitted', 'the next /64');
    assert.equal(gate.admit('::ffff:10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'admitted');
    assert.equal(gate.admit('10.0.0.1'), 'address_full', 'mapped and plain are one address');
  });
});

describe('addressKey', () => {
  const cases: Array<[address: string, key: string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:192.0.2.7', '192.0.2.7'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0042:0000:8a2e:0370:7334', '2001:db8:0:42::/64'],
    ['2001:DB8:0:42::7334', '2001:db8:0:42::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['1::', '1:0:0:0::/64'],
  ];
  for (const [address, key] of cases) {
    it(`${address} → ${key}`, () => assert.equal(addressKey(address), key));
  }
});
