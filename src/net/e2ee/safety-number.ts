/**
 * The safety number two people compare to know that the keys their DMs are
 * sealed for are each other's (`/verify`): 60 digits in 12 groups of 5,
 * the same on both screens. Each person's half comes from their name and
 * every certificate public key they have (one per device), hashed many
 * times so that finding other keys with the same digits costs far more
 * than a guess; the halves are put in the order of the names, so who
 * computes it does not matter. A new device, or a key slipped in by a
 * compromised CA, changes the number. Pure.
 */
import { createHash } from 'node:crypto';

const VERSION = Buffer.from('chat-safety-v1\0');
/** Rounds of SHA-512 per half: slows a search for keys that give the same digits. */
const ROUNDS = 5200;
const GROUPS_PER_HALF = 6;
const BYTES_PER_GROUP = 5;

/** One side of a conversation: a user name and the SPKI (DER) of each of their certificates. */
export interface KeyHolder {
  name: string;
  publicKeys: readonly Buffer[];
}

/** 30 digits for one person: their name and keys, sorted, hashed ROUNDS times. */
function half(holder: KeyHolder): string {
  const keys = [...holder.publicKeys].sort(Buffer.compare);
  const name = Buffer.from(holder.name);
  const input = Buffer.concat([
    VERSION,
    lengthPrefixed(name),
    ...keys.map((key) => lengthPrefixed(key)),
  ]);
  let digest = input;
  for (let round = 0; round < ROUNDS; round++) {
    digest = createHash('sha512').update(digest).update(input).digest();
  }
  let digits = '';
  for (let group = 0; group < GROUPS_PER_HALF; group++) {
    const chunk = digest.subarray(group * BYTES_PER_GROUP, (group + 1) * BYTES_PER_GROUP);
    digits += String(chunk.readUIntBE(0, BYTES_PER_GROUP) % 100_000).padStart(5, '0');
  }
  return digits;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The 60 digits of `a` and `b` together, in groups of five: "12345 67890 …". */
export function safetyNumber(a: KeyHolder, b: KeyHolder): string {
  const [first, second] = a.name <= b.name ? [a, b] : [b, a];
  const digits = half(first) + half(second);
  return (digits.match(/\d{5}/g) ?? []).join(' ');
}
