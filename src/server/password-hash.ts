import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost parameters: N (CPU and memory, a power of 2), r (block size), p (parallelism). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * The parameters new hashes get: 16 MiB of memory (128 × N × r bytes) and
 * about 30 ms of one core where this was measured (80 ms with the machine
 * busy). Verifying
 * uses the parameters stored with each hash, so raising these later only
 * costs more for passwords set from then on.
 */
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

/** Random salt per hash, in bytes. */
const SALT_BYTES = 16;
/** Length of the derived key, in bytes. */
const KEY_BYTES = 32;
// Bounds on what a users file may ask for: a hostile or mistyped N must not
// make every login take minutes or gigabytes.
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;

/** A stored hash taken apart. */
interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/**
 * Hashes a password for the users file as
 * `scrypt$N$r$p$<salt, base64>$<key, base64>`. The password is taken in
 * Unicode NFC, so the same characters typed on different systems match.
 * Runs on libuv's thread pool: the event loop is not blocked.
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  const { N, r, p } = params;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `password` is the one `encoded` was made from. The keys are
 * compared in constant time. Throws on a malformed `encoded` (see
 * {@link checkPasswordHash}).
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const { params, salt, key } = parsePasswordHash(encoded);
  const candidate = await derive(password, salt, params, key.length);
  return timingSafeEqual(candidate, key);
}

/** Why `encoded` is not a hash this module can verify, or undefined when it is one. */
export function checkPasswordHash(encoded: string): string | undefined {
  try {
    parsePasswordHash(encoded);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends as long as checking a real password, for a user who has none: a
 * wrong guess then takes as long whether the user has a password or not.
 */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword('no password is set for this user');
  await verifyPassword(password, await dummy);
  return false;
}

function parsePasswordHash(encoded: string): ParsedHash {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    throw new Error('not of the form scrypt$N$r$p$salt$hash');
  }
  const [N, r, p] = parts.slice(1, 4).map((n) => (/^[1-9]\d{0,7}$/.test(n ?? '') ? Number(n) : 0));
  if (N === undefined || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** MAX_LOG2_N) {
    throw new Error(`N must be a power of 2 up to 2^${MAX_LOG2_N}`);
  }
  if (r === undefined || r < 1 || r > MAX_R) throw new Error(`r must be 1 to ${MAX_R}`);
  if (p === undefined || p < 1 || p > MAX_P) throw new Error(`p must be 1 to ${MAX_P}`);
  const salt = base64(parts[4] ?? '');
  const key = base64(parts[5] ?? '');
  if (salt === undefined || salt.length < 8)
    throw new Error('the salt is not base64 of 8 bytes or more');
  if (key === undefined || key.length < 16)
    throw new Error('the hash is not base64 of 16 bytes or more');
  return { params: { N, r, p }, salt, key };
}

// Strict: Buffer.from(…, 'base64') skips characters it does not know.
function base64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number) {
  const { N, r, p } = params;
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem: node refuses above 32 MiB by default; allow what N and r need, with room.
    scrypt(
      password.normalize('NFC'),
      salt,
      length,
      { N, r, p, maxmem: 256 * N * r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}
