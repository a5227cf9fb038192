// How answers read in a terminal: aligned tables and "name  value" lines, plain text without colours, so that
// the output pastes and greps well. `--json` bypasses all of this.

/** Columns padded to their widest cell, two spaces apart, the header first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** "name  value" lines, the values aligned. */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([name]) => name.length));
  return pairs.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

/** A decimal string without its padding zeros: "0.01000000" reads "0.01", "100.00000000" reads "100". */
export function decimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** An ISO timestamp to the second, in UTC: "2026-11-24T10:15:02Z". */
export function timestamp(text: string): string {
  return text.replace(/\.\d+(Z|[+-]\d\d:?\d\d)$/, '$1');
}
