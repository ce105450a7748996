/**
 * Clock times and calendar days for the message pane. Pure: times are passed
 * in as epoch milliseconds; `timeZone` is an IANA name such as
 * 'Europe/Paris', and `undefined` means the machine's zone.
 * An invalid `ts` or `timeZone` throws a RangeError (from Intl).
 */

/** How a clock time is written: `HH:MM` (the default) or `HH:MM:SS`, 24-hour. */
export type ClockFormat = 'HH:MM' | 'HH:MM:SS';

type Parts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Builds Intl formatters once per (kind, zone): creating one costs far more than using it. */
function formatter(
  kind: 'clock' | 'seconds' | 'day' | 'label',
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone ?? ''}`;
  let cached = formatters.get(key);
  if (cached === undefined) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'clock'
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'seconds'
          ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
          : kind === 'day'
            ? { year: 'numeric', month: '2-digit', day: '2-digit' }
            : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
    cached = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    formatters.set(key, cached);
  }
  return cached;
}

// Built from parts rather than the formatted string, whose punctuation varies between ICU versions.
function parts(
  kind: 'clock' | 'seconds' | 'day' | 'label',
  ts: number,
  timeZone: string | undefined,
): Parts {
  const out: Parts = {};
  for (const part of formatter(kind, timeZone).formatToParts(ts)) out[part.type] = part.value;
  return out;
}

/**
 * 'HH:MM' (24-hour) of `ts` (epoch ms) in `timeZone`, e.g. '09:05', or with
 * `format` 'HH:MM:SS' the seconds too, e.g. '09:05:07'.
 */
export function clockTime(ts: number, timeZone?: string, format: ClockFormat = 'HH:MM'): string {
  if (format === 'HH:MM') {
    const { hour = '00', minute = '00' } = parts('clock', ts, timeZone);
    return `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
  }
  const { hour = '00', minute = '00', second = '00' } = parts('seconds', ts, timeZone);
  return `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}:${second.padStart(2, '0')}`;
}

/** 'YYYY-MM-DD' of `ts` (epoch ms) in `timeZone`: equal keys mean the same calendar day. */
export function dayKey(ts: number, timeZone?: string): string {
  const { year = '', month = '', day = '' } = parts('day', ts, timeZone);
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The day of `ts` (epoch ms) in `timeZone` for a day separator, e.g. 'Wednesday 25 November 2026'. */
export function dayLabel(ts: number, timeZone?: string): string {
  const { weekday = '', day = '', month = '', year = '' } = parts('label', ts, timeZone);
  return `${weekday} ${day} ${month} ${year}`;
}
