/**
 * Durations as people type them after `/ban` and `/mute`: a whole number and
 * a unit, `30s`, `10m`, `2h`, `1d`, `1w` (a bare number is minutes, as in
 * irssi's /ban timeouts), and back from seconds to the shortest such text.
 * Pure.
 */

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
type Unit = keyof typeof UNIT_SECONDS;

/** The longest ban or mute the protocol takes (MAX_MODERATION_SECONDS: a year), in seconds. */
export const MAX_DURATION_SECONDS = 31_536_000;

/** True when `word` looks meant as a duration (digits, then perhaps a unit letter). */
export function looksLikeDuration(word: string): boolean {
  return /^\d+[a-z]?$/i.test(word);
}

/**
 * `word` in seconds, or an error line saying what is wrong. A bare number
 * counts minutes. At least 1 second, at most a year.
 */
export function parseDuration(word: string): { seconds: number } | { error: string } {
  const match = /^(\d{1,9})([smhdw]?)$/i.exec(word.trim());
  if (!match) {
    return {
      error: `not a duration: ${word} (write a number and s, m, h, d or w, e.g. 30s, 10m, 2h, 1d, 1w)`,
    };
  }
  const unit = ((match[2] ?? '').toLowerCase() || 'm') as Unit;
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  if (seconds < 1) return { error: 'a duration must be at least 1s' };
  if (seconds > MAX_DURATION_SECONDS) return { error: 'a duration may be a year (52w) at most' };
  return { seconds };
}

/**
 * `seconds` in the largest unit that divides it (`600` → `10m`, `90` →
 * `90s`); non-whole values are rounded to the second.
 */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit];
    if (whole >= size && whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}s`;
}
