/**
 * What sealing a direct message end to end costs the sending and the
 * reading device, against the reference measured in the same run: bare
 * node:crypto doing the same primitives once each (an ECDH and HKDF per
 * reader, one ECDSA signature, AES-256-GCM), without the envelope's
 * format, canonical checks and JSON. Both sides run on one core of this
 * machine, so both are CPU-bound: the ratio is the envelope's overhead.
 * Bounded: ROUNDS seals and opens per case, about three seconds in all.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/commands/format-table.ts';
import { openDm, sealDm } from '../src/net/e2ee/dm-envelope.ts';
import { isMessageText } from '../src/net/protocol/message-frame-check.ts';
import { median, ratio } from './lib/stats.ts';

const ROUNDS = process.argv.includes('--quick') ? 100 : 400;
const TEXT = 'the build is green, ship it after lunch? '.repeat(3);

interface Device {
  fingerprint: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

function device(): Device {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('sha256').update(spki).digest('hex').toUpperCase();
  return { fingerprint: hex.match(/../g)?.join(':') ?? '', publicKey, privateKey };
}

/** Median microseconds of `body` over ROUNDS runs (after a tenth as warm-up). */
function timed(body: (round: number) => void): number {
  for (let i = 0; i < ROUNDS / 10; i++) body(i);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    body(i);
    samples.push((performance.now() - start) * 1000);
  }
  return median(samples);
}

// The primitives alone: what any sealed message for `readers` must cost.
function bareSeal(sender: Device, readers: readonly Device[]): Buffer[] {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const ct = Buffer.concat([cipher.update(TEXT), cipher.final(), cipher.getAuthTag()]);
  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const wrapped = readers.map((r) => {
    const kek = Buffer.from(
      hkdfSync(
        'sha256',
        diffieHellman({ privateKey: ephemeral.privateKey, publicKey: r.publicKey }),
        nonce,
        'w',
        32,
      ),
    );
    const wrap = createCipheriv('aes-256-gcm', kek, Buffer.alloc(12));
    return Buffer.concat([wrap.update(key), wrap.final(), wrap.getAuthTag()]);
  });
  const signature = sign('sha256', Buffer.concat([ct, ...wrapped]), {
    key: sender.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return [
    ct,
    nonce,
    ephemeral.publicKey.export({ type: 'spki', format: 'der' }),
    signature,
    ...wrapped,
  ];
}

function bareOpen(sender: Device, reader: Device, sealed: Buffer[]): void {
  const [ct, nonce, epk, signature, wrapped] = sealed as [Buffer, Buffer, Buffer, Buffer, Buffer];
  if (
    !verify(
      'sha256',
      Buffer.concat([ct, ...sealed.slice(4)]),
      { key: sender.publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    )
  ) {
    throw new Error('bad signature');
  }
  const secret = diffieHellman({
    privateKey: reader.privateKey,
    publicKey: createPublicKey({ key: epk, format: 'der', type: 'spki' }),
  });
  const kek = Buffer.from(hkdfSync('sha256', secret, nonce, 'w', 32));
  const unwrap = createDecipheriv('aes-256-gcm', kek, Buffer.alloc(12));
  unwrap.setAuthTag(wrapped.subarray(32));
  const key = Buffer.concat([unwrap.update(wrapped.subarray(0, 32)), unwrap.final()]);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(ct.subarray(ct.length - 16));
  Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]);
}

const alice = device();
const rows: string[][] = [];
for (const [label, readerCount] of [
  ['1 device each (2 readers)', 1],
  ['2 devices each (4 readers)', 2],
] as const) {
  const bob = Array.from({ length: readerCount }, device);
  const aliceDevices = [alice, ...Array.from({ length: readerCount - 1 }, device)];
  const readers = [...bob, ...aliceDevices];
  const holders = readers.map(({ fingerprint, publicKey }) => ({ fingerprint, publicKey }));
  const request = (round: number) => ({
    from: 'alice',
    to: 'bob',
    cid: `r-${round}`,
    ts: Date.now(),
    content: { text: TEXT },
    signer: { fingerprint: alice.fingerprint, privateKey: alice.privateKey },
    readers: holders,
  });
  const envelope = sealDm(request(0));
  const reader = bob[0] as Device;
  const open = () => {
    const opened = openDm(envelope, {
      from: 'alice',
      to: 'bob',
      signer: { fingerprint: alice.fingerprint, publicKey: alice.publicKey },
      reader: { fingerprint: reader.fingerprint, privateKey: reader.privateKey },
      isText: isMessageText,
    });
    if (!opened.ok) throw new Error(`did not open: ${opened.reason}`);
  };
  const bare = bareSeal(alice, readers);
  const sealUs = timed((round) => sealDm(request(round)));
  const bareSealUs = timed(() => bareSeal(alice, readers));
  const openUs = timed(open);
  const bareOpenUs = timed(() => bareOpen(alice, reader, bare));
  const bytes = Buffer.byteLength(JSON.stringify(envelope));
  rows.push(
    [
      `seal, ${label}`,
      sealUs.toFixed(0),
      bareSealUs.toFixed(0),
      ratio(sealUs, bareSealUs).toFixed(2),
      String(bytes),
    ],
    [
      `open, ${label}`,
      openUs.toFixed(0),
      bareOpenUs.toFixed(0),
      ratio(openUs, bareOpenUs).toFixed(2),
      '',
    ],
  );
}
console.log(
  `Sealed DMs: ${TEXT.length}-character text, median of ${ROUNDS} runs each (bare: node:crypto primitives alone)`,
);
console.log(formatTable([['CASE', 'CHAT µs', 'BARE µs', 'RATIO', 'ENVELOPE BYTES'], ...rows]));
