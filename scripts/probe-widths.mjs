#!/usr/bin/env node
// Asks the terminal this runs in how many columns it gives each grapheme:
// prints the grapheme at the start of a line, then asks where the cursor is
// (DSR 6, `ESC [ 6 n`). Run it inside the terminal (or tmux) to measure:
//   node scripts/probe-widths.mjs [GRAPHEME...]
// It prints one line per grapheme: its code points and the columns measured.
const DEFAULT = [
  'a',
  'é',
  'e\u0301',
  '中',
  '한',
  'ｱ',
  '…',
  '😀',
  '🫨',
  '👍🏽',
  '👨‍👩‍👧',
  '🏳️‍🌈',
  '🇯🇵',
  '❤️',
  '❤',
  '⚠️',
  '⌚',
];
const samples = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT;
if (!process.stdin.isTTY || !process.stdout.isTTY) {
  console.error('probe-widths: run it in a terminal (it asks the terminal where its cursor is)');
  process.exit(2);
}
process.stdin.setRawMode(true);
let pending = '';
const column = (grapheme) =>
  new Promise((resolve) => {
    const onData = (data) => {
      pending += data.toString('latin1');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's answer is an escape sequence.
      const answer = /\x1b\[(\d+);(\d+)R/.exec(pending);
      if (answer === null) return;
      pending = '';
      process.stdin.off('data', onData);
      resolve(Number(answer[2]) - 1);
    };
    process.stdin.on('data', onData);
    process.stdout.write(`\r\x1b[2K${grapheme}\x1b[6n`);
  });
const lines = [];
for (const grapheme of samples) {
  const points = Array.from(grapheme, (c) => `U+${c.codePointAt(0).toString(16).toUpperCase()}`);
  lines.push(`${points.join(' ')}\t${await column(grapheme)}`);
}
process.stdout.write('\r\x1b[2K');
process.stdin.setRawMode(false);
console.log(lines.join('\n'));
process.exit(0);
