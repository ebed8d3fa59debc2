/**
 * What the engine keeps about one uploaded list (the `LIST#<listId>` item of its run, see docs/data-model.md) and
 * how the API shows it. Schemas here parse the stored items back, so nothing downstream trusts a cast.
 */
import { z } from 'zod';
import { ROW_REJECTION_CODES } from './row-validator.ts';

/**
 * - `AWAITING_UPLOAD`: an upload URL was handed out, the file has not arrived;
 * - `RECEIVED`: the file is in the uploads bucket, the import has not started;
 * - `IMPORTING`: rows are being written (an import cut short by a crash stays here until it is run again);
 * - `DONE`: every row is accounted for in `summary`;
 * - `FAILED`: the file or the request was refused as a whole (`error`); nothing was written unless it is retryable.
 */
export const ListStatusSchema = z.enum(['AWAITING_UPLOAD', 'RECEIVED', 'IMPORTING', 'DONE', 'FAILED']);

/** How the file came in: as the body of `POST .../lists`, or PUT to a presigned URL from `.../lists/upload-url`. */
export const ListSourceSchema = z.enum(['body', 'upload-url']);
export type ListSource = z.infer<typeof ListSourceSchema>;

export const ListFormatSchema = z.enum(['csv', 'xlsx']);

export const ListRowErrorSchema = z.object({
  line: z.number().int(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  code: z.enum(ROW_REJECTION_CODES),
  reason: z.string(),
});

/** The exact account of an import: `rows = accepted + rejected + duplicates + suppressed`. */
export const ListImportSummarySchema = z.object({
  /** Non-blank data rows. */
  rows: z.number().int(),
  /** Contacts created for this list. */
  accepted: z.number().int(),
  /** Rows refused, each with a reason (`errors`, and every one of them in the rejected-rows CSV). */
  rejected: z.number().int(),
  /** `duplicatesInFile + alreadyInRun`: rows not imported because their number is already there. */
  duplicates: z.number().int(),
  /** Rows whose number is on the do-not-call list. */
  suppressed: z.number().int(),
  /** Of `duplicates`: rows whose number an earlier row of the same file has. */
  duplicatesInFile: z.number().int(),
  /** Of `duplicates`: rows whose number the run already had, from a list imported earlier. */
  alreadyInRun: z.number().int(),
  rejectionsByCode: z.partialRecord(z.enum(ROW_REJECTION_CODES), z.number().int()),
  /** The first rejections, in file order. */
  errors: z.array(ListRowErrorSchema),
  /** More rejections exist than `errors` lists. */
  errorsTruncated: z.boolean(),
  /** Contacts of this list whose first attempt falls after the run's day has ended: the run will not call them. */
  dueAfterRunEnds: z.number().int(),
  /** The earliest first attempt of this list's contacts (ISO-8601). */
  firstDueAt: z.string().optional(),
  /**
   * Contacts of this list a frequency cap will hold back at their first attempt, as the people's ledgers stood at
   * import: until later in the run (`capDelayed`), or past its end, so they end CAPPED (`capStopped`). Other
   * campaigns' calls before then can only add to these. Absent when no rule of the stage counts the campaign.
   */
  capDelayed: z.number().int().optional(),
  capStopped: z.number().int().optional(),
});
export type ListImportSummary = z.infer<typeof ListImportSummarySchema>;

/** Counts of a running import; rows read but still being written are in `rows` only. */
export const ListImportProgressSchema = z.object({
  rows: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  duplicates: z.number().int(),
  suppressed: z.number().int(),
});
export type ListImportProgress = z.infer<typeof ListImportProgressSchema>;

/** Why a list was refused as a whole. */
export const ListFailureSchema = z.object({
  /** A `ListFormatError` code (`EMPTY_FILE`, `INVALID_ENCODING`, …), or `DATE_IN_PAST`, `CAMPAIGN_NOT_FOUND`, … */
  code: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.string().optional(),
  /** A storage or other transient error: the import is retried (and continues where it stopped). */
  retryable: z.boolean(),
});
export type ListFailure = z.infer<typeof ListFailureSchema>;

export const ListRecordSchema = z.object({
  listId: z.string(),
  campaignId: z.string(),
  date: z.string(),
  status: ListStatusSchema,
  source: ListSourceSchema,
  format: ListFormatSchema,
  /** The original upload in the uploads bucket. */
  objectKey: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** `upload-url` lists: when the presigned URL stops working. */
  uploadExpiresAt: z.string().optional(),
  /** `body` lists: until then the API call that received the file may still be importing it. */
  handoffAt: z.string().optional(),
  sizeBytes: z.number().int().optional(),
  /** Import runs started (more than one after a crash or a time-out). */
  attempts: z.number().int().default(0),
  startedAt: z.string().optional(),
  /** An import run holds the list (set when it starts, removed when it ends cleanly, however it ends). */
  runningSince: z.string().optional(),
  /** The running import's last sign of life: it writes one every few seconds; a stale one means it died. */
  heartbeatAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: ListImportProgressSchema.optional(),
  summary: ListImportSummarySchema.optional(),
  error: ListFailureSchema.optional(),
  /** The rejected-rows CSV in the uploads bucket (once DONE). */
  rejectedKey: z.string().optional(),
});
export type ListRecord = z.infer<typeof ListRecordSchema>;

/** Identifies a list: its run and its id. */
export interface ListRef {
  campaignId: string;
  date: string;
  listId: string;
}

/** A list item as first written. */
export interface NewListRecord extends ListRef {
  status: 'AWAITING_UPLOAD' | 'RECEIVED';
  source: ListSource;
  format: 'csv' | 'xlsx';
  objectKey: string;
  createdAt: Date;
  uploadExpiresAt?: Date;
  handoffAt?: Date;
  sizeBytes?: number;
}

/**
 * A list as the API shows it: ids, status, and then the summary's counts (DONE), the counts so far (IMPORTING) or
 * the reason (FAILED).
 */
export function listView(record: ListRecord): Record<string, unknown> {
  const base = `/campaigns/${record.campaignId}/lists/${record.listId}`;
  return {
    listId: record.listId,
    campaignId: record.campaignId,
    date: record.date,
    status: record.status,
    ...(record.summary !== undefined && record.status === 'DONE' && record.summary),
    ...(record.status === 'IMPORTING' && record.progress !== undefined && { progress: record.progress }),
    ...(record.status === 'FAILED' && record.error !== undefined && { error: record.error }),
    format: record.format,
    source: record.source,
    createdAt: record.createdAt,
    ...(record.uploadExpiresAt !== undefined &&
      record.status === 'AWAITING_UPLOAD' && { uploadExpiresAt: record.uploadExpiresAt }),
    ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
    ...(record.finishedAt !== undefined && { finishedAt: record.finishedAt }),
    attempts: record.attempts,
    links: {
      self: base,
      ...(record.rejectedKey !== undefined && record.status === 'DONE' && { rejectedCsv: `${base}/rejected.csv` }),
    },
  };
}
