import { memo, type ReactNode } from 'react';
import type { AwaySummary as Summary } from '../state/chat-types.ts';
import { awaySummaryRows } from './away-summary-rows.ts';
import { OverlayBox } from './OverlayBox.tsx';

/** Props of {@link AwaySummary}. */
export type AwaySummaryProps = {
  summary: Summary;
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
  /** IANA zone for times; undefined: the machine's. */
  timeZone?: string | undefined;
};

/** What happened while the user was away, in a box over the message pane (rows from `awaySummaryRows`). */
export const AwaySummary = memo(function AwaySummary({
  summary,
  width,
  height,
  timeZone,
}: AwaySummaryProps): ReactNode {
  return (
    <OverlayBox
      width={width}
      height={height}
      color="yellow"
      rowsFor={(inner) => awaySummaryRows(summary, inner.width, inner.height, timeZone)}
    />
  );
});
