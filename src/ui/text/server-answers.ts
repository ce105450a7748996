import type { ServerFrameOf } from '../../net/protocol/frames.ts';

/** A duration as irssi's whois says it, to the second: `42s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function idleText(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** What `/list` shows: a heading, then one line per room (`#ops  3 members  topic`). */
export function listLines(answer: ServerFrameOf<'list'>): string[] {
  if (answer.rooms.length === 0) return ['no rooms on this server have members or a topic'];
  const width = Math.max(...answer.rooms.map((r) => r.room.length));
  const lines = answer.rooms.map((r) => {
    const members = `${r.members} ${r.members === 1 ? 'member' : 'members'}`.padEnd(11);
    return `${r.room.padEnd(width)}  ${members}${r.topic === '' ? '' : `  ${r.topic}`}`.trimEnd();
  });
  const more = answer.more ? ' (more not shown)' : '';
  return [`${answer.rooms.length} rooms${more}:`, ...lines];
}

/** What `/whois` shows: who, presence and devices, idle time, then each certificate fingerprint. */
export function whoisLines(answer: ServerFrameOf<'whois'>): string[] {
  const devices = `${answer.devices} ${answer.devices === 1 ? 'device' : 'devices'}`;
  const presence = !answer.online
    ? 'offline'
    : answer.status === 'away'
      ? `away (${answer.text ?? 'away'}), ${devices}`
      : `online, ${devices}`;
  const idle =
    answer.idleMs === undefined
      ? ''
      : answer.online
        ? `, idle ${idleText(answer.idleMs)}`
        : `, last seen ${idleText(answer.idleMs)} ago`;
  return [
    `${answer.user}: ${presence}${idle}`,
    ...answer.fingerprints.map((print) => `  certificate SHA-256 ${print}`),
  ];
}

/** What `/names #room` shows: who is in it, sorted. */
export function namesLine(
  room: string,
  members: readonly string[],
  ops: ReadonlySet<string> = new Set(),
): string {
  const sorted = [...members].sort();
  const shown = sorted.map((user) => (ops.has(user) ? `@${user}` : user));
  return `${room}: ${sorted.length} here: ${shown.join(', ')}`;
}
