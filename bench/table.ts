// One row per line of issue 9's table: our measure, the baseline it is compared with, and the target
// as the largest ratio that meets it.

export interface Row {
  measure: string;
  ours: number;
  baseline: number;
  /** What the baseline is, e.g. `node -e 0`. */
  baselineName: string;
  unit: 'ms' | 'bytes';
  /** The target is met when ours / baseline is at most this. */
  maxRatio: number;
  /** The target as the issue words it, when a plain `≤ N×` would not say it. */
  targetText?: string;
}

function quantity(value: number, unit: Row['unit']): string {
  if (unit === 'ms')
    return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} MB`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)} kB`;
  return `${Math.round(value)} B`;
}

export function ratio(row: Row): number {
  return row.ours / row.baseline;
}

/** The cells of a row: measure, ours, baseline, ratio, target. */
export function cells(row: Row): string[] {
  const met = ratio(row) <= row.maxRatio ? 'met' : 'missed';
  return [
    row.measure,
    quantity(row.ours, row.unit),
    `${quantity(row.baseline, row.unit)} (${row.baselineName})`,
    `${ratio(row).toFixed(2)}×`,
    `${row.targetText ?? `≤ ${row.maxRatio}×`}: ${met}`,
  ];
}

export const HEADER = ['measure', 'ours', 'baseline', 'ratio', 'target'];

/** Columns padded to their widest cell, for a terminal. */
export function plainTable(rows: readonly Row[]): string {
  const lines = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const line = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map((row) => line(cells(row)))].join(
    '\n',
  );
}
