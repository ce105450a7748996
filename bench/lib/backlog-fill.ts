/**
 * Fills a running `chat serve` with a backlog for the TUI start-up bench:
 * `reader` joins `rooms` rooms (so the server remembers them as the
 * reader's), then `writer` sends `perRoom` messages in each, one in ten
 * naming the reader, the last one of each room marked `last-of-ROOM`.
 * The server must be started with a rate and burst that let this through.
 */
import { ChatClient } from '../../src/net/chat-client.ts';
import type { ClientCredentials } from '../../src/net/client-types.ts';

export interface BacklogPlan {
  port: number;
  reader: ClientCredentials;
  writer: ClientCredentials;
  readerName: string;
  rooms: number;
  perRoom: number;
}

/** The rooms of a plan: #backlog-00, #backlog-01, ... */
export function backlogRooms(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `#backlog-${String(i).padStart(2, '0')}`);
}

function client(port: number, credentials: ClientCredentials, rooms: string[]): ChatClient {
  return new ChatClient({
    host: 'localhost',
    port,
    credentials,
    clientName: 'bench-fill/0',
    rooms,
    reconnect: false,
    pingIntervalMs: 0,
  });
}

export async function fillBacklog(plan: BacklogPlan): Promise<void> {
  const rooms = backlogRooms(plan.rooms);
  const reader = client(plan.port, plan.reader, rooms);
  await reader.connect();
  await reader.close();
  const writer = client(plan.port, plan.writer, rooms);
  await writer.connect();
  const sends: Promise<unknown>[] = [];
  for (const room of rooms) {
    for (let n = 1; n <= plan.perRoom; n++) {
      const text =
        n === plan.perRoom
          ? `last-of-${room.slice(1)}`
          : n % 10 === 0
            ? `${plan.readerName}: message ${n} of ${room}, have a look`
            : `message ${n} of ${room}: the quick brown fox jumps over the lazy dog`;
      sends.push(writer.send(room, text));
    }
  }
  await Promise.all(sends);
  await writer.close();
}
