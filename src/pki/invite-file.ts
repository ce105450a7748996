import {
  createCipheriv,
  createDecipheriv,
  type ScryptOptions,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import { ChatError, type ChatErrorCode } from '../errors.ts';
import { checkInviteContents, type InviteContents, MAX_SERVERS } from './invite-contents.ts';
import { canonicalPassphrase, type PassphraseKind } from './invite-passphrase.ts';

/*
 * An invite file: what a teammate needs to join a team, sealed with a
 * passphrase. Three lines of ASCII, each ending in "\n":
 *
 *   chat-invite 1                          the format and its version
 *   {"kdf":"scrypt","n":…,"salt":…,…}      the header, in the clear
 *   <base64 of AES-256-GCM ciphertext ‖ 16-byte tag>
 *
 * The header holds what opening needs before the key exists: the scrypt
 * parameters and salt, the GCM nonce, a passphrase check, the sealed length,
 * and whether the passphrase was generated. The first two lines, byte for
 * byte, are the GCM additional data: a header changed in any byte fails to
 * open. The check is 16 more bytes of the same scrypt output as the key,
 * so a wrong passphrase is told apart from a changed file at no cost to the
 * passphrase (anyone holding the file can test a guess against GCM anyway).
 * Pure: randomness comes from the caller, the time too.
 */

/** The format version written, and the only one read. */
export const INVITE_VERSION = 1;

/** Largest invite file read or written, in bytes (an EC invite takes 2.3 KiB, a 4096-bit RSA one 9.5 KiB). */
export const MAX_INVITE_BYTES = 64 * 1024;

/** scrypt's cost parameters: N (CPU and memory), r (block size), p (parallelism). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * The scrypt cost an invite is sealed with: N=2^17, r=8, p=1, OWASP's first
 * choice for scrypt. It takes 128 MiB and, on a laptop, a few tenths of a
 * second, once per invite and once per join. A generated passphrase (100
 * bits) needs none of it; one chosen by a person is why it is there.
 */
export const INVITE_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };

/** Most memory an invite may make scrypt take to open it, in bytes (a bound on a hostile header). */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** An invite read but not opened: its header, the bytes it authenticates, the sealed body. */
export interface SealedInvite {
  header: InviteHeader;
  /** The format line and the header line, as they are in the file. */
  aad: Buffer;
  /** Ciphertext followed by the GCM tag. */
  body: Buffer;
}

/** The clear header of an invite. */
export type InviteHeader = z.infer<typeof headerSchema>;

/** How `sealInvite` is to seal. */
export interface SealOptions {
  /** Cryptographically random bytes (node's randomBytes). */
  randomBytes: (size: number) => Buffer;
  passphraseKind: PassphraseKind;
  /** For the checks of what is sealed (certificates valid now). */
  now: Date;
  /** scrypt's cost; INVITE_SCRYPT unless a test needs speed. */
  scrypt?: ScryptParams;
}

const MAGIC = 'chat-invite';
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const CHECK_BYTES = 16;

const headerSchema = z.strictObject({
  kdf: z.literal('scrypt'),
  n: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  salt: z.string(),
  cipher: z.literal('aes-256-gcm'),
  nonce: z.string(),
  check: z.string(),
  passphrase: z.enum(['generated', 'chosen']),
  bytes: z
    .number()
    .int()
    .min(TAG_BYTES + 1)
    .max(MAX_INVITE_BYTES),
});

const payloadSchema = z.strictObject({
  v: z.literal(INVITE_VERSION),
  team: z.string().min(1).max(64),
  user: z.string(),
  caCert: z.string().max(MAX_INVITE_BYTES),
  cert: z.string().max(MAX_INVITE_BYTES),
  key: z.string().max(MAX_INVITE_BYTES),
  servers: z
    .array(z.strictObject({ host: z.string(), port: z.number() }))
    .min(1)
    .max(MAX_SERVERS),
  caFingerprint: z.string(),
});

/**
 * Seals `contents` with `passphrase` into the bytes of an invite file. The
 * contents are checked first (see checkInviteContents): an invite that
 * could not be joined is never written.
 */
export async function sealInvite(
  contents: InviteContents,
  passphrase: string,
  options: SealOptions,
): Promise<Buffer> {
  checkInviteContents(contents, options.now, 'the invite');
  const params = options.scrypt ?? INVITE_SCRYPT;
  const salt = options.randomBytes(SALT_BYTES);
  const nonce = options.randomBytes(NONCE_BYTES);
  const derived = await deriveKey(
    canonicalPassphrase(passphrase, options.passphraseKind),
    salt,
    { n: params.N, r: params.r, p: params.p },
    'the invite',
  );
  const payload = Buffer.from(JSON.stringify({ v: INVITE_VERSION, ...contents }), 'utf8');
  const header: InviteHeader = {
    kdf: 'scrypt',
    n: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString('base64'),
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    check: derived.check.toString('base64'),
    passphrase: options.passphraseKind,
    bytes: payload.length + TAG_BYTES,
  };
  const aad = Buffer.from(`${MAGIC} ${INVITE_VERSION}\n${JSON.stringify(header)}\n`, 'ascii');
  const cipher = createCipheriv('aes-256-gcm', derived.key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
  const file = Buffer.concat([aad, Buffer.from(`${body.toString('base64')}\n`, 'ascii')]);
  if (file.length > MAX_INVITE_BYTES) {
    throw new ChatError('INVITE_INVALID', `the invite would take ${file.length} bytes`, {
      hint: `an invite holds at most ${MAX_INVITE_BYTES} bytes: name fewer servers`,
    });
  }
  return file;
}

/**
 * Reads an invite file without opening it: refuses, before any passphrase
 * is asked for, a file that is not an invite, one of another format
 * version, and one cut short. `label` names the file in messages.
 */
export function parseInvite(file: Uint8Array, label: string): SealedInvite {
  const bytes = Buffer.from(file);
  if (bytes.length === 0) throw fail('INVITE_FORMAT', `${label} is empty: it is not a chat invite`);
  if (bytes.length > MAX_INVITE_BYTES) throw notAnInvite(label);
  const text = bytes.toString('latin1');
  const first = text.indexOf('\n');
  const formatLine = first < 0 ? text : text.slice(0, first);
  const format = /^chat-invite (\d{1,6})$/.exec(formatLine);
  if (!format) {
    // A file that ends inside the format line is an invite cut short.
    if (first < 0 && `${MAGIC} ${INVITE_VERSION}`.startsWith(text)) throw truncated(label);
    throw notAnInvite(label);
  }
  const version = Number(format[1]);
  if (version !== INVITE_VERSION) {
    throw fail(
      'INVITE_VERSION',
      `${label} is an invite of format ${version}, which this chat (format ${INVITE_VERSION}) cannot open`,
      'update chat, or ask for an invite made by the same version',
    );
  }
  if (first < 0) throw truncated(label);
  const second = text.indexOf('\n', first + 1);
  if (second < 0) throw truncated(label);
  const header = readHeader(text.slice(first + 1, second), label);
  const rest = text.slice(second + 1);
  const end = rest.indexOf('\n');
  if (end < 0) throw truncated(label);
  if (end !== rest.length - 1) throw damaged(label, 'it goes on after its end');
  const bodyText = rest.slice(0, end);
  const body = strictBase64(bodyText);
  if (body === undefined) throw tampered(label);
  if (body.length < header.bytes) throw truncated(label);
  if (body.length > header.bytes) throw tampered(label);
  return { header, aad: bytes.subarray(0, second + 1), body };
}

/**
 * Opens a read invite with `passphrase` and checks what it holds (see
 * checkInviteContents) at `now`. A wrong passphrase, a changed byte and
 * contents that do not hold together each fail with their own code.
 */
export async function openSealedInvite(
  sealed: SealedInvite,
  passphrase: string,
  now: Date,
  label: string,
): Promise<InviteContents> {
  const { header } = sealed;
  const salt = strictBase64(header.salt);
  const nonce = strictBase64(header.nonce);
  const check = strictBase64(header.check);
  if (salt?.length !== SALT_BYTES || nonce?.length !== NONCE_BYTES || check?.length !== CHECK_BYTES)
    throw damaged(label, 'its header does not read as an invite header');
  const derived = await deriveKey(
    canonicalPassphrase(passphrase, header.passphrase),
    salt,
    header,
    label,
  );
  if (!timingSafeEqual(derived.check, check)) {
    throw fail(
      'INVITE_PASSPHRASE',
      `the passphrase does not open ${label}`,
      header.passphrase === 'generated'
        ? 'type it again as it was sent (case, spaces and dashes do not matter); if it still fails, ask for the invite again'
        : 'type it again exactly as it was sent; if it still fails, ask for the invite again',
    );
  }
  let payload: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived.key, nonce);
    decipher.setAAD(sealed.aad);
    decipher.setAuthTag(sealed.body.subarray(sealed.body.length - TAG_BYTES));
    payload = Buffer.concat([
      decipher.update(sealed.body.subarray(0, sealed.body.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw tampered(label);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const checked = payloadSchema.safeParse(parsed);
  if (!checked.success) throw invalid(label, 'contents that do not read as an invite');
  const { v: _version, ...contents } = checked.data;
  return checkInviteContents(contents, now, label);
}

/** parseInvite then openSealedInvite: the whole file opened with `passphrase`. */
export async function openInvite(
  file: Uint8Array,
  passphrase: string,
  now: Date,
  label: string,
): Promise<InviteContents> {
  return openSealedInvite(parseInvite(file, label), passphrase, now, label);
}

async function deriveKey(
  passphrase: Buffer,
  salt: Buffer,
  params: { n: number; r: number; p: number },
  label: string,
): Promise<{ key: Buffer; check: Buffer }> {
  const { n, r, p } = params;
  // Bounded before use: the header is read before it can be authenticated,
  // and a changed one must not make this machine spend gigabytes.
  const powerOfTwo = n >= 2 && (n & (n - 1)) === 0;
  if (!powerOfTwo || r < 1 || r > 32 || p < 1 || p > 4 || 128 * n * r > MAX_SCRYPT_MEMORY) {
    throw damaged(label, 'it asks for scrypt parameters out of bounds');
  }
  const options: ScryptOptions = { N: n, r, p, maxmem: 128 * n * r + 128 * r * p + 1024 * 1024 };
  const out = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase, salt, KEY_BYTES + CHECK_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
  return { key: out.subarray(0, KEY_BYTES), check: out.subarray(KEY_BYTES) };
}

function readHeader(line: string, label: string): InviteHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw damaged(label, 'its header does not read as an invite header');
  }
  const checked = headerSchema.safeParse(parsed);
  if (!checked.success) throw damaged(label, 'its header does not read as an invite header');
  return checked.data;
}

// Base64 as Buffer.from writes it, or undefined: node's decoder skips
// characters it does not know, which would let a changed byte go unseen.
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function fail(code: ChatErrorCode, message: string, hint?: string): ChatError {
  return new ChatError(code, message, hint === undefined ? {} : { hint });
}

function notAnInvite(label: string): ChatError {
  return fail(
    'INVITE_FORMAT',
    `${label} is not a chat invite`,
    'give the file `chat invite` wrote (NAME.chat-invite)',
  );
}

function truncated(label: string): ChatError {
  return fail(
    'INVITE_TRUNCATED',
    `${label} is cut short`,
    'copy the whole file again (it ends with a newline), or ask for it again',
  );
}

function damaged(label: string, why: string): ChatError {
  return fail('INVITE_FORMAT', `${label} is damaged: ${why}`, 'ask for the invite again');
}

function tampered(label: string): ChatError {
  return fail(
    'INVITE_TAMPERED',
    `${label} was changed after it was sealed, so it cannot be trusted`,
    'ask for the invite again (the admin runs `chat invite NAME --force`)',
  );
}

function invalid(label: string, what: string): ChatError {
  return fail('INVITE_INVALID', `${label} holds ${what}`, 'ask the admin for a new invite');
}
