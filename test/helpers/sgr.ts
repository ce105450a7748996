/**
 * The colour parameters of every SGR sequence (`ESC[…m`) in `text`:
 * foreground and background, basic (30-37, 40-47), bright (90-97,
 * 100-107), 256 and true colour (38;…, 48;…), and the default colour
 * (39, 49) unless `ignoreDefault`: tmux's capture-pane -e starts every line
 * with ESC[39m ESC[49m whatever was drawn. Bold, dim, inverse are not colour.
 */
export function colourCodes(text: string, options: { ignoreDefault?: boolean } = {}): string[] {
  const found: string[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are the point.
  for (const [, params = ''] of text.matchAll(/\u001b\[([0-9;]*)m/g)) {
    const codes = params.split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] ?? 0;
      if (code === 38 || code === 48) {
        found.push(codes.slice(i).join(';'));
        break; // the rest are the colour's own numbers
      }
      if ((code === 39 || code === 49) && options.ignoreDefault) continue;
      if (
        (code >= 30 && code <= 49) ||
        (code >= 90 && code <= 97) ||
        (code >= 100 && code <= 107)
      ) {
        found.push(String(code));
      }
    }
  }
  return found;
}
