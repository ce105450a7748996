import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type DmEnvelope, openDm } from '../../src/net/e2ee/dm-envelope.ts';
import { associatedData, signedBytes } from '../../src/net/e2ee/envelope-format.ts';
import { sealWith } from '../../src/net/e2ee/envelope-seal.ts';
import { isMessageText } from '../../src/net/protocol/message-frame-check.ts';

const exec = promisify(execFile);
const DOC = fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url));
const CHECK = fileURLToPath(new URL('../../scripts/check-dm-envelope.mjs', import.meta.url));

interface Vector {
  from: string;
  to: string;
  cid: string;
  ts: number;
  text: string;
  aliceFingerprint: string;
  bobFingerprint: string;
  aliceSpki: string;
  bobPkcs8: string;
  ephemeralPkcs8: string;
  contentKey: string;
  nonce: string;
  aad: string;
  signedBytes: string;
  envelope: DmEnvelope;
}

const markdown = readFileSync(DOC, 'utf8');
const block = /```json\n([\s\S]*?)\n```/.exec(markdown.slice(markdown.indexOf('### Test vector')));
assert.ok(block?.[1], 'PROTOCOL.md has no ```json block under "### Test vector"');
const vector = JSON.parse(block[1]) as Vector;

describe('the DM envelope test vector in docs/PROTOCOL.md', () => {
  it('is what sealing gives with its keys and randomness (the signature aside, which verifies)', () => {
    const bob = createPrivateKey(vector.bobPkcs8);
    const sealed = sealWith(
      {
        from: vector.from,
        to: vector.to,
        cid: vector.cid,
        ts: vector.ts,
        content: { text: vector.text },
        // The signer's key is not in the vector: any key gives the same fields but `sig`.
        signer: {
          fingerprint: vector.aliceFingerprint,
          privateKey: createPrivateKey(vector.bobPkcs8),
        },
        readers: [{ fingerprint: vector.bobFingerprint, publicKey: createPublicKey(bob) }],
      },
      {
        contentKey: Buffer.from(vector.contentKey, 'hex'),
        nonce: Buffer.from(vector.nonce, 'hex'),
        ephemeral: () => createPrivateKey(vector.ephemeralPkcs8),
      },
    );
    const { sig: _ours, ...fields } = sealed;
    const { sig: _theirs, ...documented } = vector.envelope;
    assert.deepEqual(fields, documented);
    assert.equal(signedBytes(documented).toString(), vector.signedBytes);
    assert.equal(
      associatedData(vector.from, vector.to, vector.cid, vector.ts).toString(),
      vector.aad,
    );
    const opened = openDm(vector.envelope, {
      from: vector.from,
      to: vector.to,
      signer: {
        fingerprint: vector.aliceFingerprint,
        publicKey: createPublicKey(vector.aliceSpki),
      },
      reader: { fingerprint: vector.bobFingerprint, privateKey: bob },
      isText: isMessageText,
    });
    assert.deepEqual(opened, {
      ok: true,
      content: { text: vector.text },
      cid: vector.cid,
      ts: vector.ts,
    });
  });

  it('is opened by a script that uses only node:crypto and the document', async () => {
    const { stdout } = await exec(process.execPath, [CHECK, DOC]);
    assert.equal(stdout, `${vector.text}\n`);
  });

  it('is refused by that script once a byte of the ciphertext changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chat-vector-'));
    try {
      const altered = join(dir, 'PROTOCOL.md');
      const ct = vector.envelope.ct;
      const flipped = `${ct[0] === 'A' ? 'B' : 'A'}${ct.slice(1)}`;
      await writeFile(altered, markdown.replaceAll(ct, flipped));
      await assert.rejects(exec(process.execPath, [CHECK, altered]), /signature does not hold/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
