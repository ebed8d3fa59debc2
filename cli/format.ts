/** Plain-text formatting of numbers, times and tables for the CLI's human output. Pure functions. */

export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** A ratio 0…1 as a percentage: `46.7 %`. */
export const formatPercent = (ratio: number, digits = 1): string => `${(ratio * 100).toFixed(digits)} %`;

/** Bytes in decimal units, as the API counts them (`6.0 MB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1_000) break;
    value /= 1_000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** A duration: `45 s`, `3 min 20 s`, `2 h 05 min`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  if (total < 3_600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(total / 3_600)} h ${String(Math.floor((total % 3_600) / 60)).padStart(2, '0')} min`;
}

/** An instant in the operator's time zone: `14:05:09` today, `2026-11-24 08:00` on another day. */
export function formatTime(iso: string, now: Date, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = (value: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(value);
  const time = (value: Date, seconds: boolean) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds && { second: '2-digit' }),
      hourCycle: 'h23',
    }).format(value);
  return day(date) === day(now) ? time(date, true) : `${day(date)} ${time(date, false)}`;
}

/** How far an instant is from now: `in 33 s`, `5 min 02 s ago`, `now`. */
export function formatRelative(iso: string, now: Date): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1_000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds === 0) return 'now';
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

/** Counts by name, largest first: `COMPLETED 12 · NO_ANSWER 8`; `none` when empty. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts)
    .filter(([, value]) => value !== 0)
    .sort(([nameA, a], [nameB, b]) => b - a || nameA.localeCompare(nameB));
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name} ${formatCount(value)}`).join(' · ');
}

/** A bar of `width` cells filled to `fraction` (0…1). */
export function formatBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** A table: a header row and rows, columns padded to their widest cell and separated by two spaces. */
export function formatTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...rows.map(line)].join('\n');
}

/** Labelled lines: labels padded to the widest one. */
export function formatFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
