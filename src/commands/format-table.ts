/**
 * Lays out rows as aligned columns separated by two spaces, the way `ls -l`
 * and `kubectl get` do: easy to read and to cut with awk. Widths are counted
 * in UTF-16 code units, which is enough for the ASCII this prints.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const all = rows;
  const widths = (rows[0] ?? []).map((_, col) =>
    Math.max(...all.map((row) => (row[col] ?? '').length)),
  );
  return all
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
