import { memo, type ReactNode } from 'react';
import type { Notice } from '../state/chat-types.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { Row } from './Row.tsx';

/** Props of {@link NoticeLine}. */
export type NoticeLineProps = {
  /** The newest notice; none leaves the row blank. Its text is neutralized, one line. */
  notice?: Notice | undefined;
  /** Said in red instead of any notice while it lasts: a warning about the open window. */
  banner?: string | undefined;
  /** Columns. */
  width: number;
};

/** One row above the input: a banner, else the newest hint or notice, cut to fit. */
export const NoticeLine = memo(function NoticeLine({
  notice,
  banner,
  width,
}: NoticeLineProps): ReactNode {
  if (banner !== undefined) {
    return (
      <Row
        spans={[{ text: `⚠ ${neutralizeLine(banner)}`, color: 'red', bold: true }]}
        width={width}
      />
    );
  }
  if (notice === undefined) return <Row spans={[]} width={width} />;
  return (
    <Row
      spans={[
        { text: '» ', color: 'cyan', bold: true },
        { text: notice.text, color: 'cyan' },
      ]}
      width={width}
    />
  );
});
