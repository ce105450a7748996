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

// Signed bytes: a JSON array of ASCII strings, in the order the section gives.
const signed = Buffer.from(
  JSON.stringify([
    'chat-dm-v1',
    e.from,
    e.to,
    e.cid,
    e.sfp,
    e.nonce,
    e.epk ?? '',
    e.ct,
    e.keys.map((k) => [k.fp, k.wk]),
  ]),
);
const alice = crypto.createPublicKey(vector.aliceSpki);
const signatureHolds = crypto.verify(
  'sha256',
  signed,
  { key: alice, dsaEncoding: 'ieee-p1363' },
  Buffer.from(e.sig, 'base64'),
);
if (!signatureHolds) throw new Error('the signature does not hold');

const aad = Buffer.from(JSON.stringify(['chat-dm-v1', e.from, e.to, e.cid]));
const gcmOpen = (key, nonce, sealed) => {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
};

// Bob's wrapped key: ECDH with the ephemeral point, HKDF-SHA256 (salt: the
// point's bytes, info: "chat-dm-v1 wrap " and bob's fingerprint), AES-256-GCM
// under a nonce of twelve zero bytes.
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
  crypto.hkdfSync('sha256', secret, point, `chat-dm-v1 wrap ${entry.fp}`, 32),
);
const contentKey = gcmOpen(kek, Buffer.alloc(12), Buffer.from(entry.wk, 'base64'));
const content = JSON.parse(
  gcmOpen(contentKey, Buffer.from(e.nonce, 'base64'), Buffer.from(e.ct, 'base64')).toString(),
);
process.stdout.write(`${content.text}\n`);
