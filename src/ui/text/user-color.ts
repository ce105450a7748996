/**
 * A stable colour per user name, so a speaker is recognisable at a glance.
 * Pure: the same name gives the same colour in every run and every client.
 */

/** The Ink colour names a user can get: readable on dark and light backgrounds. */
export const USER_COLORS = [
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
] as const;

/** One of {@link USER_COLORS}. */
export type UserColor = (typeof USER_COLORS)[number];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a hash of the string's UTF-16 code units (user names are ASCII). */
function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The Ink colour for `name`, picked from {@link USER_COLORS} by an FNV-1a hash of the name. */
export function userColor(name: string): UserColor {
  return USER_COLORS[fnv1a(name) % USER_COLORS.length] ?? 'cyan';
}
