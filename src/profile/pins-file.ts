import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChatError } from '../errors.ts';
import { readOptional, writeFiles } from '../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../fs/modes.ts';
import type { PinStore } from '../net/e2ee/dm-keyring.ts';
import type { PeerPin, PinBook } from '../net/e2ee/peer-pins.ts';
import type { ProfilePlace } from './profile-paths.ts';

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
const USER = /^[a-z0-9_-]{1,32}$/;

/**
 * Where `user`'s own pins live in a profile: a file each, as several people
 * may use one profile (`chat tui --user bob` on the admin's machine), and
 * one person's trust is not another's: each pins their own certificates
 * as verified at first sight, which in a shared book would mark them
 * verified for everyone else.
 */
export function userPinsFile(place: ProfilePlace, user: string): { file: string; legacy: string } {
  if (!USER.test(user)) {
    throw new ChatError('USAGE', `no pins file for the user name "${user}"`, {
      hint: 'use a certificate whose name is 1 to 32 of a-z, 0-9, _ and -',
    });
  }
  return { file: join(place.pinsDir, `${user}.json`), legacy: place.legacyPinsFile };
}

/** The book in `file`; while it does not exist, the one in `legacy` (the shared pins.json of before). */
async function loadPins(file: string, legacy: string | undefined): Promise<PinBook> {
  const text = await readOptional(file);
  if (text !== undefined || legacy === undefined) return parsePins(file, text);
  return parsePins(legacy, await readOptional(legacy));
}

/**
 * The certificates this user pinned for each peer (their file in the team's
 * profile, 0600): what trust on first use saw, and who was verified. A
 * file that does not read as pins stops every sealed DM with one line
 * rather than being taken as empty: an empty book would trust on first
 * use again whatever the server shows next. Until the user's own file is
 * written, `legacy` (the pins.json every user of the profile shared) is
 * read instead, so an upgrade keeps what was verified.
 */
export function pinsFile(file: string, legacy?: string): PinStore {
  return {
    load: () => loadPins(file, legacy),
    save: async (book) => {
      await mkdir(dirname(file), { recursive: true, mode: DIR_MODE });
      await writeFiles(
        [
          {
            path: file,
            data: `${JSON.stringify({ v: 1, pins: book }, null, 2)}\n`,
            mode: SECRET_MODE,
          },
        ],
        'choose a writable folder with CHAT_HOME or XDG_CONFIG_HOME',
      );
    },
  };
}

/** The book in a pins file's text (none yet: empty); a ChatError for anything else. */
export function parsePins(file: string, text: string | undefined): PinBook {
  if (text === undefined) return {};
  const damaged = () =>
    new ChatError(
      'FILE_UNREADABLE',
      `${file} is damaged: direct messages are not sealed or opened`,
      {
        hint: 'restore it from a backup; removing it trusts every peer on first use again',
      },
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged();
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1)
    throw damaged();
  const pins = (value as { pins?: unknown }).pins;
  if (typeof pins !== 'object' || pins === null || Array.isArray(pins)) throw damaged();
  const book: Record<string, PeerPin> = {};
  for (const [user, pin] of Object.entries(pins)) {
    if (!USER.test(user) || !isPin(pin)) throw damaged();
    book[user] = { fingerprints: [...pin.fingerprints].sort(), verified: pin.verified };
  }
  return book;
}

function isPin(value: unknown): value is PeerPin {
  if (typeof value !== 'object' || value === null) return false;
  const { fingerprints, verified } = value as Record<string, unknown>;
  return (
    Array.isArray(fingerprints) &&
    fingerprints.length <= 64 &&
    fingerprints.every((fp) => typeof fp === 'string' && FINGERPRINT.test(fp)) &&
    typeof verified === 'boolean'
  );
}

/**
 * The pins of `file` for a program that only reads them (`chat tail`): it
 * pins what it sees for its own run, and never writes the file, which the
 * person's `chat tui` keeps (two writers would undo each other's /verify).
 */
export function readOnlyPins(file: string, legacy?: string): PinStore {
  let book: PinBook | undefined;
  return {
    load: async () => {
      book ??= await loadPins(file, legacy);
      return book;
    },
    save: async (next) => {
      book = next;
    },
  };
}
