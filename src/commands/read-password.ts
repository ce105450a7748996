import { ChatError } from '../errors.ts';

/** A terminal to read a password from without echo. */
export interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

/**
 * Reads one line from a terminal without echoing it (the prompt goes to
 * `output`, stderr in practice): Enter ends it, Backspace and Ctrl+U edit
 * it, Ctrl+C (or Ctrl+D on an empty line) gives up with INTERRUPTED. Keys
 * that send escape sequences (arrows) are ignored. The terminal's mode is
 * put back on every way out.
 */
export function readHiddenLine(prompt: string, input: TtyInput, output: NodeJS.WritableStream) {
  return new Promise<string>((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let value = '';
    const finish = (error?: ChatError) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = String(chunk);
      if (text.startsWith('\u001b')) return;
      for (const char of text) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          return finish(
            new ChatError('INTERRUPTED', 'interrupted: nothing was changed', {
              hint: 'run the command again',
            }),
          );
        }
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char === '\u0015') value = '';
        else if (char >= ' ') value += char;
      }
    };
    // No echo before the prompt shows: what is typed the moment it appears stays hidden.
    input.setRawMode?.(true);
    output.write(prompt);
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The first line of `input` (without its `\n` or `\r\n`), for
 * `--password-stdin`. Stops reading once it has more than `maxBytes`: what
 * it returns is then too long, and the caller says so.
 */
export async function readFirstLine(input: NodeJS.ReadableStream, maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const end = buffer.indexOf(0x0a);
    chunks.push(end < 0 ? buffer : buffer.subarray(0, end));
    size += buffer.length;
    if (end >= 0 || size > maxBytes + 2) break;
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
}
