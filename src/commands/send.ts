import stripAnsi from 'strip-ansi';
import { ChatError } from '../errors.ts';
import { type ClientArgs, scriptClient } from './script-client.ts';

/**
 * `chat send`: one message from the arguments, or else from stdin, to a
 * room. Resolves only once the server has acknowledged it, so exit 0 means
 * the message is stored and delivered.
 */
export async function runSend(
  args: ClientArgs & { text: string[] },
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<void> {
  const text = plainText(args.text.length > 0 ? args.text.join(' ') : await readStdin(stdin));
  if (text.trim() === '') {
    throw new ChatError('USAGE', 'there is nothing to send', {
      hint: 'give the text as arguments (chat send hello) or on stdin (echo hello | chat send)',
    });
  }
  const client = await scriptClient(args, 'chat-send', false);
  try {
    await client.connect();
    await client.send(args.room, text);
  } finally {
    await client.close();
  }
}

/**
 * Makes piped output sendable: colour codes and other terminal escapes are
 * removed (the server refuses control characters), CRLF becomes LF.
 */
export function plainText(raw: string): string {
  return (
    stripAnsi(raw)
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
  );
}

async function readStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) {
    throw new ChatError('USAGE', 'no text given and stdin is a terminal', {
      hint: 'give the text as arguments (chat send hello) or pipe it in (echo hello | chat send)',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  // One trailing newline is how `echo` ends a line, not part of the message.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
