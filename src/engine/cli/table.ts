/** Plain-text tables for the terminal (wide characters such as 汉字 count as two columns). */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

function pad(text: string, size: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return right ? fill + text : text + fill;
}

/** Renders rows under a header; columns listed in `rightAligned` are right-aligned (numbers). */
export function renderTable(header: string[], rows: string[][], rightAligned: number[] = []): string {
  const sizes = header.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => pad(cell, sizes[c], rightAligned.includes(c)))
      .join('  ')
      .trimEnd();
  return [line(header), line(sizes.map((s) => '-'.repeat(s))), ...rows.map(line)].join('\n');
}

/** Shows whitespace tokens visibly in tables. */
export function visibleToken(token: string): string {
  return token === ' ' ? '␠' : token;
}
