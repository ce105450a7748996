// Opens the DM envelope test vector of docs/PROTOCOL.md ("12. DM envelopes")
// with nothing but node:crypto and the prose of that section: it checks the
// signature, unwraps the content key for bob and decrypts the text, then
// prints it. Written from the specification, not from chat's code, so the
// format is what the document says and not only what the code does.
//
//   node scripts/check-dm-envelope.mjs [PROTOCOL.md]
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? new URL('../docs/PROTOCOL.md', import.meta.url);
const markdown = readFileSync(path, 'utf8');
const section = markdown.slice(markdown.indexOf('### Test vector'));
const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
if (!json) throw new Error('no ```json block under "### Test vector"');
const vector = JSON.parse(json);
const { envelope: e } = vector;

// Signed bytes: a JSON array without whitespace, in the order the section gives.
const signed = Buffer.from(
  JSON.stringify([
    'chat-dm-v1',
    e.from,
    e.to,
    e.cid,
    e.ts,
    e.sfp,
    e.nonce,
    e.epk ?? '',
    e.ct,
    e.keys.map((k) => [k.fp, k.wk]),
  ]),
);
if (signed.toString() !== vector.signedBytes)
  throw new Error('the signed bytes differ from the vector');
// The low s only: n is the order of P-256.
const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const signature = Buffer.from(e.sig, 'base64');
if (BigInt(`0x${signature.subarray(32).toString('hex')}`) > n / 2n) {
  throw new Error('the signature has a high s');
}
const alice = crypto.createPublicKey(vector.aliceSpki);
const signatureHolds = crypto.verify(
  'sha256',
  signed,
  { key: alice, dsaEncoding: 'ieee-p1363' },
  signature,
);
if (!signatureHolds) throw new Error('the signature does not hold');

const aad = Buffer.from(JSON.stringify(['chat-dm-v1', e.from, e.to, e.cid, e.ts]));
if (aad.toString() !== vector.aad) throw new Error('the associated data differ from the vector');
const gcmOpen = (key, nonce, sealed) => {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
};

// Bob's wrapped key: ECDH with the ephemeral point, HKDF-SHA256 (salt: the
// point's bytes, info: "chat-dm-v1 wrap ", bob's fingerprint, a space and the
// nonce as the envelope spells it), AES-256-GCM under twelve zero bytes.
const entry = e.keys.find((k) => k.fp === vector.bobFingerprint);
const point = Buffer.from(e.epk, 'base64');
const ephemeral = crypto.createPublicKey({
  key: {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  },
  format: 'jwk',
});
const secret = crypto.diffieHellman({
  privateKey: crypto.createPrivateKey(vector.bobPkcs8),
  publicKey: ephemeral,
});
const kek = Buffer.from(
  crypto.hkdfSync('sha256', secret, point, `chat-dm-v1 wrap ${entry.fp} ${e.nonce}`, 32),
);
const contentKey = gcmOpen(kek, Buffer.alloc(12), Buffer.from(entry.wk, 'base64'));
const content = JSON.parse(
  gcmOpen(contentKey, Buffer.from(e.nonce, 'base64'), Buffer.from(e.ct, 'base64')).toString(),
);
process.stdout.write(`${content.text}\n`);
