import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { type ReactNode, useContext } from 'react';
import { Row } from '../ui/components/Row.tsx';
import { ColorContext, useColor } from '../ui/hooks/use-color.ts';
import { truncate } from '../ui/text/wrap.ts';
import { FOOTER_HINT, QUIT_QUESTION_HINT } from './dashboard-keys.ts';
import type { Overlay } from './dashboard-state.ts';

/** Props of {@link DashboardFooter}. */
export type DashboardFooterProps = {
  overlay: Overlay;
  status: string;
  draft: string;
  reason: string;
  onDraft: (text: string) => void;
  onReason: (text: string) => void;
  onFilter: (text: string) => void;
  onKick: (reason: string) => void;
  /** Columns. */
  width: number;
};

/** The bottom row: key hints, a status line, or a question with its text input. */
export function DashboardFooter(props: DashboardFooterProps): ReactNode {
  const { overlay, width } = props;
  const tint = useColor();
  const colored = useContext(ColorContext);
  switch (overlay.kind) {
    case 'filter':
      return (
        <Box>
          <Text color={tint('cyan')} bold>
            {' filter: '}
          </Text>
          <TextInput value={props.draft} onChange={props.onDraft} onSubmit={props.onFilter} />
          <Text dimColor>{'  Enter: apply (empty: all)  Esc: cancel'}</Text>
        </Box>
      );
    case 'kick':
      return (
        <Box>
          <Text color={tint('red')} bold wrap="truncate">
            {` kick ${truncate(overlay.who, Math.max(8, width - 50))}? reason: `}
          </Text>
          <TextInput
            value={props.reason}
            onChange={props.onReason}
            onSubmit={props.onKick}
            // ink-text-input greys its placeholder: without colour the hint says it instead.
            placeholder={colored ? 'no reason given' : undefined}
          />
          <Text dimColor>
            {colored
              ? '  Enter: kick  Esc: cancel'
              : '  Enter: kick (empty: no reason given)  Esc: cancel'}
          </Text>
        </Box>
      );
    case 'quit':
      return (
        <Row
          spans={[
            { text: ' Shut the server down? ', color: 'red', bold: true },
            { text: 'Every client is told. ' },
            { text: QUIT_QUESTION_HINT, dim: true },
          ]}
          width={width}
        />
      );
    case 'closing':
      return (
        <Row spans={[{ text: ' shutting down…', color: 'yellow', bold: true }]} width={width} />
      );
    default:
      return (
        <Row
          spans={
            props.status !== ''
              ? [{ text: ` ${props.status}`, color: 'cyan' }]
              : [{ text: ` ${FOOTER_HINT}`, dim: true }]
          }
          width={width}
        />
      );
  }
}
