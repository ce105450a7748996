import { crc32 } from 'node:zlib';

/**
 * The bytes of a history segment file. A segment opens with a fixed header
 * that names the format and the key that sealed it; records follow, each a
 * small clear header and a sealed body:
 *
 *   header (64 bytes)  magic "CHATHIST" · version u16 · key source u8 ·
 *                      scrypt log2(N) u8 · r u8 · p u8 · 2 reserved ·
 *                      salt 16 · key id 8 · key check 16 · segment no. u32 ·
 *                      CRC-32 of the 60 bytes before it
 *   record             body length u32 · id u64 · room tag 8 · CRC-32 of
 *                      those 20 bytes · body (nonce 12 · ciphertext · tag 16)
 *
 * All integers are big-endian. The CRCs only find where damage is (a bad
 * length would otherwise lose the way to every later record); integrity is
 * the seal's job: a record's clear header is its associated data.
 */

export const MAGIC = Buffer.from('CHATHIST', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 64;
export const RECORD_HEADER_BYTES = 24;
/** The part of a record's header that is sealed with it as associated data. */
export const RECORD_AAD_BYTES = 20;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** A body longer than this is damage, not a message (texts are at most 4,000 characters). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Where the key of a store comes from. */
export type KeySource = 'key-file' | 'passphrase';

export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

export interface SegmentHeader {
  version: number;
  keySource: KeySource;
  scrypt: ScryptParams;
  /** 16 bytes, random, made with the store: scrypt's salt, HKDF's, and the store's name. */
  salt: Buffer;
  /** 8 bytes naming the key, shown when the wrong one is given. */
  keyId: Buffer;
  /** 16 bytes only the right key derives. */
  keyCheck: Buffer;
  segment: number;
}

export interface RecordHeader {
  bodyBytes: number;
  id: number;
  /** 8 bytes: a keyed hash of the conversation, so the room is bound without being readable. */
  roomTag: Buffer;
}

const SOURCES: KeySource[] = ['key-file', 'passphrase'];

export function encodeHeader(header: SegmentHeader): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt16BE(header.version, 8);
  out.writeUInt8(SOURCES.indexOf(header.keySource) + 1, 10);
  out.writeUInt8(header.scrypt.log2N, 11);
  out.writeUInt8(header.scrypt.r, 12);
  out.writeUInt8(header.scrypt.p, 13);
  header.salt.copy(out, 16, 0, 16);
  header.keyId.copy(out, 32, 0, 8);
  header.keyCheck.copy(out, 40, 0, 16);
  out.writeUInt32BE(header.segment, 56);
  out.writeUInt32BE(crc32(out.subarray(0, 60)), 60);
  return out;
}

/** The header at the start of `bytes`, or why it is not one. */
export function decodeHeader(bytes: Buffer): SegmentHeader | { problem: string } {
  if (bytes.length < HEADER_BYTES) return { problem: 'the file ends inside its header' };
  if (!bytes.subarray(0, 8).equals(MAGIC)) return { problem: 'it is not a chat history segment' };
  if (bytes.readUInt32BE(60) !== crc32(bytes.subarray(0, 60)))
    return { problem: 'its header is damaged' };
  const version = bytes.readUInt16BE(8);
  if (version !== FORMAT_VERSION)
    return { problem: `it has format version ${version}; this chat reads ${FORMAT_VERSION}` };
  const keySource = SOURCES[bytes.readUInt8(10) - 1];
  if (keySource === undefined) return { problem: 'its header names no known key source' };
  return {
    version,
    keySource,
    scrypt: { log2N: bytes.readUInt8(11), r: bytes.readUInt8(12), p: bytes.readUInt8(13) },
    salt: Buffer.from(bytes.subarray(16, 32)),
    keyId: Buffer.from(bytes.subarray(32, 40)),
    keyCheck: Buffer.from(bytes.subarray(40, 56)),
    segment: bytes.readUInt32BE(56),
  };
}

/** A record's clear header, its CRC filled in. */
export function encodeRecordHeader(header: RecordHeader): Buffer {
  const out = Buffer.alloc(RECORD_HEADER_BYTES);
  out.writeUInt32BE(header.bodyBytes, 0);
  out.writeBigUInt64BE(BigInt(header.id), 4);
  header.roomTag.copy(out, 12, 0, 8);
  out.writeUInt32BE(crc32(out.subarray(0, RECORD_AAD_BYTES)), RECORD_AAD_BYTES);
  return out;
}

/**
 * The record header at `offset`: `end` when the bytes stop exactly there,
 * `torn` when they stop inside the record, `damaged` when its CRC or length
 * is wrong.
 */
export function decodeRecordHeader(
  bytes: Buffer,
  offset: number,
): RecordHeader | 'end' | 'torn' | 'damaged' {
  if (offset === bytes.length) return 'end';
  if (bytes.length - offset < RECORD_HEADER_BYTES) return 'torn';
  const crc = bytes.readUInt32BE(offset + RECORD_AAD_BYTES);
  if (crc !== crc32(bytes.subarray(offset, offset + RECORD_AAD_BYTES))) return 'damaged';
  const bodyBytes = bytes.readUInt32BE(offset);
  const id = bytes.readBigUInt64BE(offset + 4);
  if (bodyBytes < NONCE_BYTES + TAG_BYTES || bodyBytes > MAX_BODY_BYTES) return 'damaged';
  if (id < 1n || id > BigInt(Number.MAX_SAFE_INTEGER)) return 'damaged';
  if (bytes.length - offset < RECORD_HEADER_BYTES + bodyBytes) return 'torn';
  return {
    bodyBytes,
    id: Number(id),
    roomTag: Buffer.from(bytes.subarray(offset + 12, offset + 20)),
  };
}

/** Segment files are numbered; the name sorts in number order. */
export function segmentName(segment: number): string {
  return `${String(segment).padStart(8, '0')}.seg`;
}

/** The number of a segment file name, or undefined for any other file. */
export function segmentNumber(name: string): number | undefined {
  const match = /^(\d{8})\.seg$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
