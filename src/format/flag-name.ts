/** `maxPerUser` → `--max-per-user`: how an option key is typed on the command line. Pure. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
