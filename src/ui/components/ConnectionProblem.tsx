import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { wrapText } from '../text/wrap.ts';

/** Props of {@link ConnectionProblem}. */
export type ConnectionProblemProps = {
  /** One line: what went wrong — what to do (describeError's form). */
  error: string;
  /** The first row, in red; default 'Cannot connect'. */
  title?: string;
  /** Columns of the pane. */
  width: number;
  /** Rows of the pane. */
  height: number;
};

/**
 * What the pane shows when the client has given up (a refused certificate,
 * a server that is not ours, an operator's kick or ban): the problem and
 * its fix in full, wrapped, where the status bar could only show the start of it.
 */
export const ConnectionProblem = memo(function ConnectionProblem({
  error,
  title = 'Cannot connect',
  width,
  height,
}: ConnectionProblemProps): ReactNode {
  const tint = useColor();
  const [what = error, fix = ''] = neutralizeLine(error).split(' — ');
  const inner = Math.max(1, width - 4);
  const rows = [
    ...wrapText(title, inner),
    ' ',
    ...wrapText(what, inner),
    ...(fix ? [' ', ...wrapText(`What to do: ${fix}`, inner)] : []),
    ' ',
    ...wrapText('/quit or Ctrl+C leaves.', inner),
  ].slice(0, Math.max(1, height));
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      paddingLeft={2}
      justifyContent="center"
    >
      {rows.map((row, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are fixed positions of one message, never reordered.
          key={i}
          wrap="truncate"
          bold={i === 0}
          color={i === 0 ? tint('red') : undefined}
        >
          {row}
        </Text>
      ))}
    </Box>
  );
});
