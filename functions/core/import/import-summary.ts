/**
 * Counting the outcomes of an import for the API response and the rejection alert.
 */
import type { RejectedRow, RowRejectionCode, RowResult } from './row-validator.ts';

/** A rejected row as the API reports it (without the row's cells). */
export type RowError = Omit<RejectedRow, 'kind' | 'fields'>;

export interface ImportSummary {
  /** Non-blank data rows read. */
  rows: number;
  accepted: number;
  rejected: number;
  /** Rows whose number an earlier row of the same file already had. */
  duplicates: number;
  /** `rejected / rows`, 0 for no rows. */
  rejectionRate: number;
  /** Rejections per code. */
  rejectionsByCode: Partial<Record<RowRejectionCode, number>>;
  /** The first `maxErrors` rejections, in file order. */
  errors: RowError[];
  /** More rejections exist than `errors` holds. */
  errorsTruncated: boolean;
}

export interface ImportSummariserOptions {
  /** Rejections kept in `errors`; default 100. */
  maxErrors?: number;
}

/** Tallies row outcomes as they stream past: `add` each one, read `summary()` at the end. */
export class ImportSummariser {
  readonly #maxErrors: number;
  #accepted = 0;
  #rejected = 0;
  #duplicates = 0;
  readonly #byCode: Partial<Record<RowRejectionCode, number>> = {};
  readonly #errors: RowError[] = [];

  constructor(options: ImportSummariserOptions = {}) {
    this.#maxErrors = options.maxErrors ?? 100;
  }

  add(row: RowResult): void {
    switch (row.kind) {
      case 'accepted':
        this.#accepted++;
        break;
      case 'duplicate':
        this.#duplicates++;
        break;
      case 'rejected': {
        this.#rejected++;
        this.#byCode[row.code] = (this.#byCode[row.code] ?? 0) + 1;
        if (this.#errors.length < this.#maxErrors) {
          const { line, column, value, code, reason } = row;
          this.#errors.push({ line, column, value, code, reason });
        }
        break;
      }
    }
  }

  summary(): ImportSummary {
    const rows = this.#accepted + this.#rejected + this.#duplicates;
    return {
      rows,
      accepted: this.#accepted,
      rejected: this.#rejected,
      duplicates: this.#duplicates,
      rejectionRate: rows === 0 ? 0 : this.#rejected / rows,
      rejectionsByCode: { ...this.#byCode },
      errors: [...this.#errors],
      errorsTruncated: this.#rejected > this.#errors.length,
    };
  }
}

/** Reads every row and returns the summary (when nothing but the counts is needed). */
export async function summariseRows(
  rows: AsyncIterable<RowResult> | Iterable<RowResult>,
  options: ImportSummariserOptions = {},
): Promise<ImportSummary> {
  const summariser = new ImportSummariser(options);
  for await (const row of rows) {
    summariser.add(row);
  }
  return summariser.summary();
}

/** Whether the share of rejected rows calls for the operator alert (the campaign's `import.rejectionAlertThreshold`). */
export function exceedsRejectionThreshold(
  summary: Pick<ImportSummary, 'rows' | 'rejectionRate'>,
  threshold: number,
): boolean {
  return summary.rows > 0 && summary.rejectionRate > threshold;
}
