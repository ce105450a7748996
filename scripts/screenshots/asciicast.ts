/**
 * asciicast v2 (asciinema's recording format): a JSON header line, then one
 * `[seconds, "o", text]` line per write to the terminal.
 * https://docs.asciinema.org/manual/asciicast/v2/
 */
export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
  env?: Record<string, string>;
}

export interface CastEvent {
  time: number;
  data: string;
}

export function formatCast(header: CastHeader, events: readonly CastEvent[]): string {
  const lines = [JSON.stringify(header)];
  for (const event of events) {
    lines.push(JSON.stringify([Math.round(event.time * 1e6) / 1e6, 'o', event.data]));
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a cast's header and its output events (input and other events are left out). */
export function parseCast(text: string): { header: CastHeader; events: CastEvent[] } {
  const [first, ...rest] = text.split('\n').filter((line) => line.trim() !== '');
  if (first === undefined) throw new Error('an empty cast');
  const header = JSON.parse(first) as CastHeader;
  if (header.version !== 2) throw new Error(`asciicast version ${String(header.version)}, not 2`);
  const events: CastEvent[] = [];
  for (const line of rest) {
    const [time, kind, data] = JSON.parse(line) as [number, string, string];
    if (kind === 'o') events.push({ time, data });
  }
  return { header, events };
}
