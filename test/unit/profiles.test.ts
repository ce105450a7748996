import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caProfile, clientProfile, serverProfile, validity } from '../../src/pki/profiles.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const DAY = 86_400_000;

describe('validity', () => {
  it('runs from a minute ago for exactly the given days', () => {
    const { notBefore, notAfter } = validity(NOW, 10);
    assert.equal(notBefore.getTime(), NOW.getTime() - 60_000);
    assert.equal(notAfter.getTime() - notBefore.getTime(), 10 * DAY);
    const server = validity(NOW, 825);
    assert.equal(server.notAfter.getTime() - server.notBefore.getTime(), 825 * DAY);
  });
  it('stops at the issuer expiry when that comes first', () => {
    const issuerEnd = new Date(NOW.getTime() + 5 * DAY);
    assert.equal(validity(NOW, 10, issuerEnd).notAfter, issuerEnd);
    assert.equal(validity(NOW, 3, issuerEnd).notAfter.getTime(), NOW.getTime() - 60_000 + 3 * DAY);
  });
});

describe('profiles', () => {
  it('makes the CA critical CA:true, pathlen 0, keyCertSign + cRLSign', () => {
    assert.deepEqual(caProfile().extensions, [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ]);
  });
  it('lists each server name once, defaults first', () => {
    const san = serverProfile(
      { type: 'ec' },
      ['localhost', 'chat.example'],
      ['::1', '192.0.2.1'],
    ).extensions.find((e) => e.name === 'subjectAltName');
    assert.deepEqual(san && 'altNames' in san ? san.altNames : [], [
      { type: 2, value: 'localhost' },
      { type: 2, value: 'chat.example' },
      { type: 7, ip: '127.0.0.1' },
      { type: 7, ip: '::1' },
      { type: 7, ip: '192.0.2.1' },
    ]);
  });
  it('gives RSA leaves keyEncipherment and EC leaves digitalSignature only', () => {
    const usage = (p: ReturnType<typeof clientProfile>) =>
      p.extensions.find((e) => e.name === 'keyUsage');
    assert.deepEqual(usage(clientProfile({ type: 'ec' }, 'a')), {
      name: 'keyUsage',
      digitalSignature: true,
      critical: true,
    });
    assert.deepEqual(usage(clientProfile({ type: 'rsa', size: 2048 }, 'a')), {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    });
  });
});
