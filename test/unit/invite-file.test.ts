import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, scryptSync, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { checkInviteContents, type InviteContents } from '../../src/pki/invite-contents.ts';
import {
  INVITE_SCRYPT,
  openInvite,
  parseInvite,
  type ScryptParams,
  sealInvite,
} from '../../src/pki/invite-file.ts';
import { canonicalPassphrase, generatePassphrase } from '../../src/pki/invite-passphrase.ts';
import { type CertAndKey, issueCertificate } from '../../src/pki/issue.ts';
import { caProfile, clientProfile, validity } from '../../src/pki/profiles.ts';

/**
 * The sealed invite file (issue 14, item 3): what it holds opens only with
 * its passphrase, and a file that is not exactly what was sealed, is of
 * another format, or holds contents that do not hold together is refused
 * with its own code and one line.
 */

const NOW = new Date();
/** scrypt at its cheapest, so that a test can open a file thousands of times. */
const FAST: ScryptParams = { N: 16, r: 1, p: 1 };
const PASS = 'correct horse battery staple';

async function makeCa(): Promise<CertAndKey> {
  return issueCertificate({ profile: caProfile(), key: { type: 'ec' }, ...validity(NOW, 3650) });
}

async function makeClient(ca: CertAndKey, user: string, days = 825, now = NOW) {
  return issueCertificate({
    profile: clientProfile({ type: 'ec' }, user),
    key: { type: 'ec' },
    ...validity(now, days),
    issuer: ca,
  });
}

function contentsOf(ca: CertAndKey, client: CertAndKey, user = 'carol'): InviteContents {
  return {
    team: 'acme',
    user,
    caCert: ca.cert,
    cert: client.cert,
    key: client.key,
    servers: [
      { host: 'chat.example.com', port: 8443 },
      { host: '192.0.2.7', port: 443 },
    ],
    caFingerprint: new X509Certificate(ca.cert).fingerprint256,
  };
}

const seal = (contents: InviteContents, passphrase = PASS) =>
  sealInvite(contents, passphrase, {
    randomBytes,
    passphraseKind: 'chosen',
    now: NOW,
    scrypt: FAST,
  });

/** Asserts a ChatError with `code` whose message and hint are one line each. */
function refusedWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ChatError, String(error));
    assert.equal(error.code, code, error.message);
    assert.doesNotMatch(`${error.message}${error.hint ?? ''}`, /\n/);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/**
 * Seals a payload the way docs say the format is, independently of
 * sealInvite and without its checks: to make files whose contents are wrong.
 */
function sealRaw(payload: Record<string, unknown>, passphrase = PASS): Buffer {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const derived = scryptSync(canonicalPassphrase(passphrase, 'chosen'), salt, 48, FAST);
  const plain = Buffer.from(JSON.stringify(payload));
  const header = {
    kdf: 'scrypt',
    n: FAST.N,
    r: FAST.r,
    p: FAST.p,
    salt: salt.toString('base64'),
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    check: derived.subarray(32).toString('base64'),
    passphrase: 'chosen',
    bytes: plain.length + 16,
  };
  const aad = Buffer.from(`chat-invite 1\n${JSON.stringify(header)}\n`);
  const cipher = createCipheriv('aes-256-gcm', derived.subarray(0, 32), nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([aad, Buffer.from(`${body.toString('base64')}\n`)]);
}

describe('invite file', () => {
  let ca: CertAndKey;
  let carol: CertAndKey;
  let contents: InviteContents;
  let file: Buffer;

  before(async () => {
    ca = await makeCa();
    carol = await makeClient(ca, 'carol');
    contents = contentsOf(ca, carol);
    file = await seal(contents);
  });

  it('opens with its passphrase to exactly what was sealed', async () => {
    assert.deepEqual(await openInvite(file, PASS, NOW, 'carol.chat-invite'), contents);
  });

  it('keeps everything but the format and the key derivation out of sight', () => {
    const text = file.toString('latin1');
    const lines = text.split('\n');
    assert.equal(lines.length, 4, 'three lines, each ending in a newline');
    assert.equal(lines[0], 'chat-invite 1');
    assert.equal(lines[3], '');
    const header = JSON.parse(lines[1] ?? '');
    assert.deepEqual(
      { kdf: header.kdf, n: header.n, r: header.r, p: header.p, cipher: header.cipher },
      { kdf: 'scrypt', n: FAST.N, r: FAST.r, p: FAST.p, cipher: 'aes-256-gcm' },
    );
    assert.equal(Buffer.from(header.salt, 'base64').length, 16);
    assert.equal(Buffer.from(header.nonce, 'base64').length, 12);
    for (const secret of ['carol', 'acme', 'chat.example.com', 'BEGIN', 'PRIVATE'])
      assert.ok(!text.includes(secret), `${secret} is not in the clear`);
    assert.match(text, /^[\x20-\x7e\n]+$/, 'printable ASCII: it survives copy and paste');
  });

  it('seals with a fresh salt and nonce each time', async () => {
    const again = await seal(contents);
    const header = (f: Buffer) => JSON.parse(f.toString('latin1').split('\n')[1] ?? '');
    assert.notEqual(header(again).salt, header(file).salt);
    assert.notEqual(header(again).nonce, header(file).nonce);
  });

  it('seals and opens with the real cost parameters (N=2^17, r=8, p=1)', async () => {
    const real = await sealInvite(contents, PASS, {
      randomBytes,
      passphraseKind: 'chosen',
      now: NOW,
    });
    const header = JSON.parse(real.toString('latin1').split('\n')[1] ?? '');
    assert.deepEqual({ N: header.n, r: header.r, p: header.p }, INVITE_SCRYPT);
    assert.deepEqual(await openInvite(real, PASS, NOW, 'x'), contents);
  });

  it('refuses a wrong passphrase in one line that says so', async () => {
    for (const wrong of ['correct horse battery stapler', '', 'Correct horse battery staple']) {
      await assert.rejects(
        openInvite(file, wrong, NOW, 'carol.chat-invite'),
        refusedWith('INVITE_PASSPHRASE', /^the passphrase does not open carol\.chat-invite$/),
      );
    }
  });

  it('refuses a changed byte anywhere in the file', async () => {
    const headerEnd = file.indexOf('\n', file.indexOf('\n') + 1);
    const codes = new Map<string, number>();
    for (let at = 0; at < file.length; at += 1) {
      const changed = Buffer.from(file);
      changed[at] = (changed[at] as number) ^ 0x01;
      const code = await openInvite(changed, PASS, NOW, 'x').then(
        () => assert.fail(`a change at byte ${at} went unseen`),
        (error: unknown) => {
          assert.ok(error instanceof ChatError, `byte ${at}: ${String(error)}`);
          return error.code;
        },
      );
      assert.match(code, /^INVITE_/, `byte ${at}`);
      // The body is authenticated: a change there is always called a change.
      if (at > headerEnd && at < file.length - 1) assert.equal(code, 'INVITE_TAMPERED', `${at}`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    assert.ok((codes.get('INVITE_TAMPERED') ?? 0) > file.length / 2, JSON.stringify([...codes]));
  });

  it('refuses the file cut at any length, before any passphrase is needed', () => {
    for (let length = 1; length < file.length; length += 1) {
      assert.throws(
        () => parseInvite(file.subarray(0, length), 'carol.chat-invite'),
        refusedWith('INVITE_TRUNCATED', /carol\.chat-invite is cut short/),
        `cut at ${length}`,
      );
    }
    assert.throws(() => parseInvite(Buffer.alloc(0), 'e'), refusedWith('INVITE_FORMAT', /empty/));
  });

  it('refuses a file with more after its end', () => {
    assert.throws(
      () => parseInvite(Buffer.concat([file, Buffer.from('more\n')]), 'x'),
      refusedWith('INVITE_FORMAT', /damaged/),
    );
  });

  it('refuses files of other formats and versions before asking for the passphrase', () => {
    const others: Array<[string, string | Buffer, string, RegExp]> = [
      ['a PEM certificate', ca.cert, 'INVITE_FORMAT', /is not a chat invite/],
      ['JSON', '{"team":"acme"}\n', 'INVITE_FORMAT', /is not a chat invite/],
      ['random bytes', randomBytes(2000), 'INVITE_FORMAT', /is not a chat invite/],
      ['an old bundle README', 'chat: access for carol\n', 'INVITE_FORMAT', /not a chat invite/],
      [
        'format 2',
        file.toString('latin1').replace('chat-invite 1', 'chat-invite 2'),
        'INVITE_VERSION',
        /format 2, which this chat \(format 1\) cannot open/,
      ],
      ['format 0', 'chat-invite 0\n{}\nAAAA\n', 'INVITE_VERSION', /format 0/],
      ['too big', Buffer.alloc(65 * 1024, 0x41), 'INVITE_FORMAT', /not a chat invite/],
    ];
    for (const [what, bytes, code, pattern] of others) {
      assert.throws(() => parseInvite(Buffer.from(bytes), 'f'), refusedWith(code, pattern), what);
    }
  });

  it('refuses, unopened, a header asking for more memory than allowed', async () => {
    const text = file.toString('latin1').replace(`"n":${FAST.N},`, `"n":${2 ** 30},`);
    const started = Date.now();
    await assert.rejects(
      openInvite(Buffer.from(text, 'latin1'), PASS, NOW, 'x'),
      refusedWith('INVITE_FORMAT', /scrypt parameters out of bounds/),
    );
    assert.ok(Date.now() - started < 1000, 'no key was derived');
  });

  it('opens a file sealed as the format says, by another implementation', async () => {
    const raw = sealRaw({ v: 1, ...contents });
    assert.deepEqual(await openInvite(raw, PASS, NOW, 'x'), contents);
  });

  it('refuses contents whose CA does not match the fingerprint sealed with it', async () => {
    const other = await makeCa();
    const raw = sealRaw({ v: 1, ...contents, caCert: other.cert });
    await assert.rejects(
      openInvite(raw, PASS, NOW, 'carol.chat-invite'),
      refusedWith('INVITE_INVALID', /CA certificate that does not match the fingerprint/),
    );
    // And the sealing side never writes one.
    await assert.rejects(
      seal({ ...contents, caFingerprint: new X509Certificate(other.cert).fingerprint256 }),
      refusedWith('INVITE_INVALID', /fingerprint/),
    );
  });

  it('refuses contents that do not hold together', async () => {
    const other = await makeCa();
    const stranger = await makeClient(other, 'carol');
    const dave = await makeClient(ca, 'dave');
    const old = await makeClient(ca, 'carol', 1, new Date(NOW.getTime() - 3 * 86_400_000));
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        'another CA signed the certificate',
        { cert: stranger.cert, key: stranger.key },
        /its CA did not sign/,
      ],
      ['the key is another one', { key: dave.key }, /not the one of carol's certificate/],
      ['the certificate names dave', { cert: dave.cert, key: dave.key }, /for dave, not for carol/],
      ['the certificate expired', { cert: old.cert, key: old.key }, /expired on \d{4}-\d\d-\d\d/],
      [
        'a server is no address',
        { servers: [{ host: 'bad host', port: 8443 }] },
        /cannot be dialed/,
      ],
      ['a port is 0', { servers: [{ host: 'localhost', port: 0 }] }, /cannot be dialed/],
      ['the user name is not one', { user: 'Carol!' }, /invalid user name/],
      ['the CA is no certificate', { caCert: 'garbage' }, /no readable CA certificate/],
    ];
    for (const [what, change, pattern] of cases) {
      await assert.rejects(
        openInvite(sealRaw({ v: 1, ...contents, ...change }), PASS, NOW, 'x'),
        refusedWith('INVITE_INVALID', pattern),
        what,
      );
    }
    for (const [what, payload] of [
      ['no servers', { v: 1, ...contents, servers: [] }],
      ['another payload version', { v: 2, ...contents }],
      ['an unknown field', { v: 1, ...contents, extra: true }],
    ] as const) {
      await assert.rejects(
        openInvite(sealRaw(payload), PASS, NOW, 'x'),
        refusedWith('INVITE_INVALID', /contents that do not read as an invite/),
        what,
      );
    }
  });

  it('checks the certificates at the time it is opened', async () => {
    const later = new Date(NOW.getTime() + 900 * 86_400_000);
    await assert.rejects(
      openInvite(file, PASS, later, 'x'),
      refusedWith('INVITE_INVALID', /carol's certificate, which expired/),
    );
    const earlier = new Date(NOW.getTime() - 86_400_000);
    assert.throws(
      () => checkInviteContents(contents, earlier, 'x'),
      (error: unknown) =>
        error instanceof ChatError &&
        /not valid before/.test(error.message) &&
        /clock/.test(error.hint ?? ''),
    );
  });
});

describe('generated passphrases', () => {
  it('are five groups of four base32 characters: 100 random bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const passphrase = generatePassphrase(randomBytes);
      assert.match(passphrase, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){4}$/);
      seen.add(passphrase);
    }
    assert.equal(seen.size, 200);
    // Every character of the alphabet is reachable, from all-zero to all-one bits.
    assert.equal(
      generatePassphrase((n) => Buffer.alloc(n, 0)),
      '0000-0000-0000-0000-0000',
    );
    assert.equal(
      generatePassphrase((n) => Buffer.alloc(n, 0xff)),
      'zzzz-zzzz-zzzz-zzzz-zzzz',
    );
  });

  it('open however the teammate types them: case, spaces, dashes, O for 0, I and L for 1', async () => {
    const ca = await makeCa();
    const contents = contentsOf(ca, await makeClient(ca, 'carol'));
    const passphrase = '0a1b-c2d3-e4f5-g6h7-j8k9';
    const file = await sealInvite(contents, passphrase, {
      randomBytes,
      passphraseKind: 'generated',
      now: NOW,
      scrypt: FAST,
    });
    for (const typed of [
      passphrase,
      '0A1B-C2D3-E4F5-G6H7-J8K9',
      '0a1bc2d3e4f5g6h7j8k9',
      '0a1b c2d3 e4f5 g6h7 j8k9',
      'oalb-c2d3-e4f5-g6h7-j8k9',
      'OAIB-C2D3-E4F5-G6H7-J8K9 ',
    ]) {
      assert.deepEqual(await openInvite(file, typed, NOW, 'x'), contents, typed);
    }
    await assert.rejects(
      openInvite(file, '0a1b-c2d3-e4f5-g6h7-j8k8', NOW, 'x'),
      refusedWith('INVITE_PASSPHRASE'),
    );
  });

  it('leave a chosen passphrase as typed, in Unicode NFC', () => {
    assert.deepEqual(
      canonicalPassphrase('cafe\u0301 Au Lait', 'chosen'),
      Buffer.from('caf\u00e9 Au Lait'),
    );
  });
});
