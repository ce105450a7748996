/**
 * How the dashboard writes numbers and times: short, fixed-width friendly,
 * and the same everywhere (sizes: see format/bytes.ts). Pure.
 */

/** `42s`, `3m07s`, `2h05m`, `3d04h`: the two largest units of a duration in ms. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad(hours % 24)}h`;
}

/** `1,234,567`: a count with thousands separators. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** `12.4` under 100, `250` above: a rate per second. */
export function formatRate(perSecond: number): string {
  const tenths = Math.round(perSecond * 10) / 10;
  return tenths < 100 ? tenths.toFixed(1) : formatCount(perSecond);
}

/** `3F:A2:…:9C`: a long colon-separated fingerprint cut to its ends. */
export function shortFingerprint(fingerprint: string, keep = 4): string {
  const parts = fingerprint.split(':');
  if (parts.length <= keep * 2) return fingerprint;
  return [...parts.slice(0, keep), '…', ...parts.slice(-keep)].join(':');
}

/** `HH:MM:SS` of an epoch-ms time, in the machine's zone. */
export function clockSeconds(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
