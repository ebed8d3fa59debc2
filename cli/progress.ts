/**
 * A one-line progress display on stderr (upload bytes, rows imported), redrawn in place. Only on a terminal:
 * piped or redirected output gets no progress lines, so logs and `--json` output stay clean.
 */
import { formatBar, formatBytes, formatCount, formatDuration } from './format.ts';

export interface ProgressState {
  label: string;
  done: number;
  /** Unknown when undefined: the line shows a count and the time spent instead of a bar. */
  total?: number;
  /** `~` before the total: an estimate (rows of a CSV counted by line breaks). */
  approximate?: boolean;
  unit: 'bytes' | 'rows';
}

const amount = (value: number, unit: ProgressState['unit']) =>
  unit === 'bytes' ? formatBytes(value) : `${formatCount(value)} rows`;

/** The progress line for a state, fitted to `columns`. */
export function renderProgress(state: ProgressState, elapsedMs: number, columns = 80): string {
  const elapsed = formatDuration(elapsedMs / 1_000);
  let line: string;
  if ((state.total === undefined || state.total <= 0) && state.done === 0) {
    line = `${state.label}…  (${elapsed})`;
  } else if (state.total === undefined || state.total <= 0) {
    line = `${state.label}  ${amount(state.done, state.unit)}  (${elapsed})`;
  } else {
    const fraction = Math.min(1, state.done / state.total);
    const percent = `${Math.floor(fraction * 100)} %`.padStart(5);
    const of = state.unit === 'bytes' ? formatBytes(state.total) : formatCount(state.total);
    const counts = `${state.unit === 'bytes' ? formatBytes(state.done) : formatCount(state.done)} of ${state.approximate ? '~' : ''}${of}${state.unit === 'rows' ? ' rows' : ''}`;
    const fixed = `${state.label}    ${percent}  ${counts}  (${elapsed})`;
    const barWidth = Math.max(10, Math.min(30, columns - fixed.length - 1));
    line = `${state.label}  ${formatBar(fraction, barWidth)}  ${percent}  ${counts}  (${elapsed})`;
  }
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Clears the line (and stops redrawing). */
  stop(): void;
}

interface TerminalStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/** A progress line on `stream` when it is a terminal; otherwise one that shows nothing. */
export function createProgress(stream: TerminalStream, clock: () => number = Date.now): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = clock();
  let last: ProgressState | undefined;
  let drawnAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (last === undefined) return;
    drawnAt = clock();
    stream.write(`\r\x1b[2K${renderProgress(last, drawnAt - started, stream.columns || 80)}`);
  };
  return {
    update(state) {
      last = state;
      // Redraw at most 10 times a second, and every second anyway so the elapsed time moves.
      timer ??= setInterval(draw, 1_000).unref();
      if (clock() - drawnAt >= 100 || (state.total !== undefined && state.done >= state.total)) draw();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (last !== undefined) stream.write('\r\x1b[2K');
      last = undefined;
    },
  };
}
