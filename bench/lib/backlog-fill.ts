/**
 * Fills a running `chat serve` with a backlog for the TUI start-up bench:
 * `reader` joins `rooms` rooms (so the server remembers them as the
 * reader's), then `writer` sends `perRoom` messages in each, one in ten
 * naming the reader, the last one of each room marked `last-of-ROOM`; then
 * the reader reads them all.
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
  // The reader has read it all (as after a day at the keyboard): the TUI then
  // starts with no away summary over the pane, and every run alike.
  const again = client(plan.port, plan.reader, rooms);
  const moved = new Set<string>();
  const allRead = new Promise<void>((resolve) => {
    again.on('read', (frame) => {
      if (frame.id >= plan.perRoom) moved.add(frame.room);
      if (moved.size === rooms.length) resolve();
    });
  });
  await again.connect();
  for (const room of rooms) again.markRead(room, plan.perRoom);
  await allRead;
  await again.close();
}
