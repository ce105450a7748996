/** How every screen and command writes a size: the dashboard, history reports. Pure. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `0 B`, `512 B`, `1.5 KiB`, `23 MiB`: three significant figures at most. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  // Rounded as it will be shown: 1048575 B is 1.0 MiB, not 1024 KiB.
  const shown = (v: number) => (unit === 0 || v >= 10 ? Math.round(v) : Math.round(v * 10) / 10);
  while (shown(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const rounded = shown(value);
  return `${rounded < 10 ? rounded.toFixed(1) : rounded} ${UNITS[unit]}`;
}
