import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type DmEnvelope,
  type Holder,
  type OpenRequest,
  openDm,
  type SealRequest,
  type Signer,
  sealDm,
} from '../../src/net/e2ee/dm-envelope.ts';
import { signWith } from '../../src/net/e2ee/envelope-crypto.ts';
import { signedBytes } from '../../src/net/e2ee/envelope-format.ts';
import { isMessageText } from '../../src/net/protocol/message-frame-check.ts';

const SEALED_AT = 1_767_261_600_000;
/** What opening an envelope of this file gives. */
const opened = (content: { text: string; action?: boolean }) => ({
  ok: true,
  content,
  cid: 'r-1',
  ts: SEALED_AT,
});

/** A certificate's key pair and a fingerprint of the shape Node gives (only a label here). */
interface Device extends Holder, Signer {}

function device(kind: 'ec' | 'rsa' = 'ec'): Device {
  const { publicKey, privateKey } =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = [...randomBytes(32)]
    .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
    .join(':');
  return { fingerprint, publicKey, privateKey };
}

const holder = (d: Device): Holder => ({ fingerprint: d.fingerprint, publicKey: d.publicKey });
const reader = (d: Device): Signer => ({ fingerprint: d.fingerprint, privateKey: d.privateKey });

function opening(signer: Device, as: Device, from = 'alice', to = 'bob'): OpenRequest {
  return { from, to, signer: holder(signer), reader: reader(as), isText: isMessageText };
}

describe('DM envelopes', () => {
  const alice = device();
  const bobPhone = device();
  const bobLaptop = device();
  const carol = device();
  /** A DM from alice to bob's phone, with what the test changes. */
  const seal = (change: Partial<SealRequest>) =>
    sealDm({
      from: 'alice',
      to: 'bob',
      cid: 'r-1',
      ts: SEALED_AT,
      content: { text: 'hi' },
      signer: reader(alice),
      readers: [holder(bobPhone)],
      ...change,
    });
  const sealed = seal({
    content: { text: 'the door code is 4711' },
    readers: [holder(bobPhone), holder(bobLaptop), holder(alice)],
  });

  it('opens on every certificate it was sealed for: both of the recipient’s devices and the sender’s own', () => {
    for (const as of [bobPhone, bobLaptop, alice]) {
      assert.deepEqual(
        openDm(sealed, opening(alice, as)),
        opened({ text: 'the door code is 4711' }),
      );
    }
  });

  it('holds neither the text nor the content key in the clear', () => {
    const json = JSON.stringify(sealed);
    assert.doesNotMatch(json, /door code|4711/);
    assert.equal(sealed.keys.length, 3);
  });

  it('is not for a certificate it was not sealed for', () => {
    assert.deepEqual(openDm(sealed, opening(alice, carol)), { ok: false, reason: 'not_for_me' });
  });

  it('refuses every alteration on the way: content, wrapped key, ephemeral key, nonce, ids, readers', () => {
    const swap = (text: string) => {
      const bytes = Buffer.from(text, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const altered: Array<[string, DmEnvelope]> = [
      ['ciphertext', { ...sealed, ct: swap(sealed.ct) }],
      ['nonce', { ...sealed, nonce: swap(sealed.nonce) }],
      ['ephemeral key', { ...sealed, epk: swap(sealed.epk ?? '') }],
      ['client id', { ...sealed, cid: 'r-2' }],
      [
        'wrapped key',
        { ...sealed, keys: sealed.keys.map((k, i) => (i === 0 ? { ...k, wk: swap(k.wk) } : k)) },
      ],
      ['a reader dropped', { ...sealed, keys: sealed.keys.slice(0, 2) }],
      ['signature', { ...sealed, sig: swap(sealed.sig) }],
    ];
    for (const [what, envelope] of altered) {
      assert.deepEqual(
        openDm(envelope, opening(alice, bobPhone)),
        { ok: false, reason: 'unverified' },
        what,
      );
    }
  });

  it('binds the content to its sender, recipient, message id and time, not only by the signature', () => {
    // Re-signed with alice's own key: only the associated data can tell.
    const changes: Array<Partial<DmEnvelope>> = [{ cid: 'r-9' }, { to: 'carol' }, { ts: 1 }];
    for (const change of changes) {
      const { sig: _, ...unsigned } = { ...sealed, ...change };
      const resigned = {
        ...unsigned,
        sig: signWith(alice.privateKey, signedBytes(unsigned)).toString('base64'),
      };
      const to = unsigned.to;
      assert.deepEqual(
        openDm(resigned, opening(alice, bobPhone, 'alice', to)),
        { ok: false, reason: 'unverified' },
        JSON.stringify(change),
      );
    }
  });

  it('refuses another sender: relayed as from someone else, or signed by another certificate', () => {
    assert.deepEqual(openDm(sealed, opening(alice, bobPhone, 'mallory', 'bob')), {
      ok: false,
      reason: 'wrong_signer',
    });
    // A server with a key of its own re-seals and re-signs the text for bob, claiming alice.
    const mallory = device();
    const forged = seal({
      content: { text: 'the door code is 0000' },
      signer: { fingerprint: alice.fingerprint, privateKey: mallory.privateKey },
    });
    assert.deepEqual(openDm(forged, opening(alice, bobPhone)), { ok: false, reason: 'unverified' });
    // The same, naming its own certificate: bob pinned alice's, not mallory's.
    const named = seal({ signer: reader(mallory) });
    assert.deepEqual(openDm(named, opening(alice, bobPhone)), {
      ok: false,
      reason: 'wrong_signer',
    });
  });

  it('refuses what is not an envelope, and text a dm frame could not carry', () => {
    for (const value of [null, 'x', {}, { ...sealed, extra: 1 }, { ...sealed, keys: [] }]) {
      assert.deepEqual(openDm(value, opening(alice, bobPhone)), { ok: false, reason: 'malformed' });
    }
    const withEscape = seal({ content: { text: 'clear screen \u001b[2J' } });
    assert.deepEqual(openDm(withEscape, opening(alice, bobPhone)), {
      ok: false,
      reason: 'bad_content',
    });
  });

  it('has one spelling: another spelling of the same signature, key or bytes does not open', () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const signature = Buffer.from(sealed.sig, 'base64');
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
    const highS = Buffer.concat([
      signature.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]).toString('base64');
    assert.deepEqual(openDm({ ...sealed, sig: highS }, opening(alice, bobPhone)), {
      ok: false,
      reason: 'unverified',
    });
    // 64 bytes end in a character of which only the top 2 bits count: flipping a low bit
    // spells the same bytes another way.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const lastIndex = ALPHABET.indexOf(sealed.sig.at(-3) ?? 'A');
    const sameBytes = `${sealed.sig.slice(0, -3)}${ALPHABET[lastIndex ^ 1]}==`;
    assert.deepEqual(Buffer.from(sameBytes, 'base64'), Buffer.from(sealed.sig, 'base64'));
    for (const spelling of [
      { sig: sealed.sig.replace(/=+$/, '') },
      { sig: sameBytes },
      { epk: '' },
    ]) {
      assert.deepEqual(
        openDm({ ...sealed, ...spelling }, opening(alice, bobPhone)),
        { ok: false, reason: 'malformed' },
        JSON.stringify(spelling),
      );
    }
  });

  it('never throws, whatever it is handed', () => {
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    assert.deepEqual(openDm(trap, opening(alice, bobPhone)), { ok: false, reason: 'malformed' });
    const throwingCheck = {
      ...opening(alice, bobPhone),
      isText: () => {
        throw new Error('boom');
      },
    };
    assert.deepEqual(openDm(sealed, throwingCheck), { ok: false, reason: 'malformed' });
  });

  it('keeps an action an action', () => {
    const action = seal({ content: { text: 'waves', action: true } });
    assert.deepEqual(
      openDm(action, opening(alice, bobPhone)),
      opened({ text: 'waves', action: true }),
    );
  });

  it('works for a team whose certificates are RSA, and for one that mixes both', () => {
    const rsaAlice = device('rsa');
    const rsaBob = device('rsa');
    const envelope = seal({
      content: { text: 'over RSA' },
      signer: reader(rsaAlice),
      readers: [holder(rsaBob), holder(bobPhone), holder(rsaAlice)],
    });
    for (const as of [rsaBob, bobPhone, rsaAlice]) {
      assert.deepEqual(openDm(envelope, opening(rsaAlice, as)), opened({ text: 'over RSA' }));
    }
    const tampered = {
      ...envelope,
      keys: envelope.keys.map((k) => ({
        ...k,
        wk: k.wk.replace(/^./, k.wk[0] === 'A' ? 'B' : 'A'),
      })),
    };
    assert.deepEqual(openDm(tampered, opening(rsaAlice, rsaBob)), {
      ok: false,
      reason: 'unverified',
    });
  });
});
