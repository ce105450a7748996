/**
 * What a client is told once the server welcomed it: its nick as the
 * certificate's name, 001 to 005 (ISUPPORT says chat's limits), and the
 * message of the day. Pure.
 */
import { MAX_HISTORY_LIMIT, MAX_TOPIC_CHARS } from '../../net/protocol/frames.ts';
import { MODES_PER_LINE } from './irc-moderation.ts';
import { type Addressee, ircLine, notice, numeric, userSource } from './irc-write.ts';

/** NICKLEN and the room name's length, as ISUPPORT says them. */
const NAME_MAX = 32;
const CHANNEL_MAX = 33;

/**
 * The welcome to `to.nick`, the certificate's name: a NICK change from the
 * nick the client gave (`*` when none) and a notice when they differ, then
 * 001 to 005. `version` is the server's, said in 002 and 004.
 */
export function welcomeLines(to: Addressee, given: string, version: string): string[] {
  const user = to.nick;
  const serverName = to.serverName;
  const lines: string[] = [];
  if (given !== '*' && given !== user) {
    lines.push(ircLine(to, 'NICK', [user], { source: userSource(given) }));
  }
  lines.push(
    numeric(to, '001', `Welcome to chat, ${user}`),
    numeric(to, '002', `Your host is ${serverName}, running chat ${version}`),
    numeric(to, '003', 'This server speaks IRC as a gateway to chat'),
    numeric(to, '004', serverName, `chat-${version}`, 'i', 'nt'),
    numeric(
      to,
      '005',
      'CHANTYPES=#',
      'CASEMAPPING=ascii',
      `NICKLEN=${NAME_MAX}`,
      `CHANNELLEN=${CHANNEL_MAX}`,
      `TOPICLEN=${MAX_TOPIC_CHARS}`,
      'MAXTARGETS=1',
      'PREFIX=(o)@',
      `MODES=${MODES_PER_LINE}`,
      'CHANMODES=bq,,,t',
      `CHATHISTORY=${MAX_HISTORY_LIMIT}`,
      'MSGREFTYPES=msgid',
      'NETWORK=chat',
      'are supported by this server',
    ),
  );
  if (given !== user) {
    lines.push(
      notice(to, `Your nick is your certificate's name, ${user} (you asked for ${given})`),
    );
  }
  return lines;
}

/** The message of the day (375, 372 a line, 376), or 422 when there is none. */
export function motdLines(to: Addressee, motd: string): string[] {
  const rows = motd.split(/\r?\n/).filter((text) => text !== '');
  if (rows.length === 0) return [numeric(to, '422', 'MOTD File is missing')];
  return [
    numeric(to, '375', `- ${to.serverName} Message of the day -`),
    ...rows.map((text) => numeric(to, '372', `- ${text}`)),
    numeric(to, '376', 'End of /MOTD command'),
  ];
}
