import { Unicode11Addon } from '@xterm/addon-unicode11';
import xterm from '@xterm/headless';
import { readScreen, type Screen } from './screen-runs.ts';
import type { TerminalTheme } from './terminal-theme.ts';

/**
 * A terminal emulator with no display (xterm.js, the one VS Code runs), fed
 * the bytes a program wrote: what it holds is what a real terminal shows.
 */
export class HeadlessTerminal {
  readonly terminal: xterm.Terminal;
  private cursorShown = true;

  constructor(columns: number, rows: number) {
    this.terminal = new xterm.Terminal({
      cols: columns,
      rows,
      allowProposedApi: true,
      scrollback: 0,
    });
    // Unicode 11 widths, as terminals have them today: xterm.js alone
    // counts by Unicode 6, where most emoji are one cell wide.
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    // xterm.js keeps DECTCEM to itself; watch it go by (false: xterm goes on
    // handling the sequence).
    const track = (shown: boolean) => (params: (number | number[])[]) => {
      if (params.includes(25)) this.cursorShown = shown;
      return false;
    };
    this.terminal.parser.registerCsiHandler({ prefix: '?', final: 'h' }, track(true));
    this.terminal.parser.registerCsiHandler({ prefix: '?', final: 'l' }, track(false));
  }

  /** Resolves once `data` has been parsed into the screen. */
  write(data: string): Promise<void> {
    return new Promise((resolve) => this.terminal.write(data, resolve));
  }

  screen(theme: TerminalTheme): Screen {
    return readScreen(this.terminal, theme, this.cursorShown);
  }

  /** The visible rows as plain text. */
  text(): string {
    return this.rows().join('\n');
  }

  /** The visible rows as plain text, one string each. */
  rows(): string[] {
    const buffer = this.terminal.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.terminal.rows; y++) {
      rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    }
    return rows;
  }

  dispose(): void {
    this.terminal.dispose();
  }
}
