import { memo, type ReactNode } from 'react';
import type { Notice } from '../state/chat-types.ts';
import { Row } from './Row.tsx';

/** Props of {@link NoticeLine}. */
export type NoticeLineProps = {
  /** The newest notice; none leaves the row blank. Its text is neutralized, one line. */
  notice?: Notice | undefined;
  /** Columns. */
  width: number;
};

/** One row above the input: the newest hint or notice, cut to fit. */
export const NoticeLine = memo(function NoticeLine({ notice, width }: NoticeLineProps): ReactNode {
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
