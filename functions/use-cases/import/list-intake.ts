/**
 * The two ways a day's list comes in, and what happens to it afterwards. Handlers call this; storage is behind the
 * interfaces below.
 *
 * - **Small lists** (`POST /campaigns/{id}/lists`, {@link ListImports.importBody}): the whole file is checked before
 *   anything is written (a broken file is refused with nothing stored), then the original is stored under `lists/`,
 *   and imported within the API call's time. If time runs out, the call answers "still importing" and hands the rest
 *   over to the upload event of the stored original.
 * - **Large lists** (`POST .../lists/upload-url`, {@link ListImports.requestUpload}): the list item is created and a
 *   presigned PUT URL returned; the file's arrival fires the upload event ({@link ListImports.importUploaded}), which
 *   checks and imports it streaming from the bucket.
 *
 * Every import of a list id can be run again: after a crash, a time-out or a duplicate event it continues where the
 * earlier run stopped and ends with exactly the rows of the file (see `import-list.ts`).
 */
import { Readable } from 'node:stream';
import { importRejectionAlert } from '../../core/alerts/run-alerts.ts';
import type { Campaign } from '../../core/campaign.ts';
import { exceedsRejectionThreshold } from '../../core/import/import-summary.ts';
import { ListFormatError } from '../../core/import/list-format-error.ts';
import { newListId } from '../../core/import/list-id.ts';
import type { ListFileFormat, ListInput } from '../../core/import/list-reader.ts';
import type {
  ListFailure,
  ListImportProgress,
  ListImportSummary,
  ListRecord,
  ListRef,
  NewListRecord,
} from '../../core/import/list-record.ts';
import { listObjectKey, parseListObjectKey, rejectedRowsObjectKey } from '../../core/keys.ts';
import { CallingWindowClosedError } from '../../core/policy/calling-window.ts';
import type { ContactPolicy } from '../../core/policy/contact-policy.ts';
import { isBeyondRetention, latestRunDate } from '../../core/retention.ts';
import { isPastDate } from '../../core/run-clock.ts';
import { logger } from '../../lib/logger.ts';
import {
  type ContactSink,
  checkList,
  type DoNotCallLookup,
  importList,
  type LedgerLookup,
  type ListImportOptions,
  type RejectedRowsSink,
} from './import-rows.ts';

/** The list items (`ListStore`). */
export interface ListRecords {
  create(record: NewListRecord): Promise<void>;
  get(ref: ListRef): Promise<ListRecord | undefined>;
  markReceived(ref: ListRef, sizeBytes: number, at: Date): Promise<void>;
  startImport(ref: ListRef, at: Date): Promise<boolean>;
  /** The running import is alive (`heartbeatAt`). */
  heartbeat(ref: ListRef, at: Date): Promise<void>;
  /** The running import stopped cleanly without finishing (time ran out): the next run continues it. */
  release(ref: ListRef, at: Date): Promise<void>;
  recordProgress(ref: ListRef, progress: ListImportProgress, at: Date): Promise<void>;
  complete(ref: ListRef, summary: ListImportSummary, rejectedKey: string, at: Date): Promise<void>;
  fail(ref: ListRef, failure: ListFailure, at: Date): Promise<void>;
  handOff(ref: ListRef, at: Date): Promise<void>;
  listIdsOf(campaignId: string, date: string, phones: readonly string[]): Promise<Map<string, string | undefined>>;
}

/** A CSV written piece by piece; `finish` stores it, `discard` throws it away. */
export interface RejectedRowsUpload extends RejectedRowsSink {
  finish(): Promise<void>;
  discard(): Promise<void>;
}

/** The uploads bucket (`UploadsBucket`). */
export interface ListFiles {
  /** A URL to PUT exactly `sizeBytes` to `key`, once (no overwriting). */
  presignPut(key: string, expiresInSeconds: number, sizeBytes: number): Promise<string>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  open(key: string): Promise<ListInput>;
  rejectedRowsUpload(key: string): Promise<RejectedRowsUpload>;
}

/** Campaign definitions (`CampaignStore`). */
export interface CampaignSource {
  get(campaignId: string): Promise<{ campaign: Campaign } | undefined>;
}

export interface ListImportsPorts {
  records: ListRecords;
  files: ListFiles;
  campaigns: CampaignSource;
  contacts: ContactSink;
  doNotCall: DoNotCallLookup;
  /** People's contact ledgers: with `contactPolicy`, the summary estimates the frequency caps' holds. */
  ledgers?: LedgerLookup;
  /** Operator alerts (`AlertPublisher`): an import rejecting more than the campaign's threshold raises one. */
  alerts?: {
    publish(alert: { condition: string; subject: string; message: string; periodSeconds?: number }): Promise<boolean>;
  };
}

export interface Clock {
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}

export interface ListImportsOptions {
  clock?: Clock;
  /** Passed to `importList`. */
  import?: ListImportOptions;
  /** Lifetime of upload URLs; default 1 hour. */
  uploadUrlSeconds?: number;
  /** How often the upload event looks whether the API call finished a small list; default 1 s. */
  handoffPollMs?: number;
  /** How often a running import says it is alive; default 15 s. */
  heartbeatMs?: number;
  /** A running import silent this long has died (out of memory, out of time); default 60 s. */
  deadAfterMs?: number;
  /** Days personal data is kept (`RETENTION_DAYS`): a list for a later date than today plus this is refused. */
  retentionDays?: number;
  /** The stage's contact policy (`capDelayed`, `capStopped` in the summary). */
  contactPolicy?: ContactPolicy;
}

/**
 * What became of an import run: DONE or FAILED (see the list item), INCOMPLETE (time ran out; run it again), or
 * IGNORED (nothing to do, with the reason).
 */
export type ImportOutcome =
  | { outcome: 'DONE' | 'FAILED' | 'INCOMPLETE'; ref: ListRef }
  | { outcome: 'IGNORED'; reason: string; ref?: ListRef };

const realClock: Clock = {
  now: () => new Date(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

const CONTENT_TYPES: Record<ListFileFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export class ListImports {
  private readonly ports: ListImportsPorts;
  private readonly clock: Clock;
  private readonly options: ListImportsOptions;

  constructor(ports: ListImportsPorts, options: ListImportsOptions = {}) {
    this.ports = ports;
    this.clock = options.clock ?? realClock;
    this.options = options;
  }

  /**
   * Creates a list awaiting its upload and a presigned URL to PUT the file to; the upload starts the import.
   * The campaign and the date are the caller's to check.
   */
  async requestUpload(input: {
    campaign: Campaign;
    date: string;
    format: ListFileFormat;
    /** The file's size: the URL takes exactly this many bytes. */
    sizeBytes: number;
  }): Promise<{ listId: string; uploadUrl: string; expiresAt: string; headers: Record<string, string> }> {
    const { campaign, date, format, sizeBytes } = input;
    const now = this.clock.now();
    const listId = newListId(date);
    const objectKey = listObjectKey(campaign.id, date, listId, format);
    const seconds = this.options.uploadUrlSeconds ?? 3_600;
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    await this.ports.records.create({
      campaignId: campaign.id,
      date,
      listId,
      status: 'AWAITING_UPLOAD',
      source: 'upload-url',
      format,
      objectKey,
      createdAt: now,
      uploadExpiresAt: expiresAt,
      sizeBytes,
    });
    const uploadUrl = await this.ports.files.presignPut(objectKey, seconds, sizeBytes);
    // The headers the PUT must carry: they are signed into the URL.
    const headers = { 'content-length': String(sizeBytes), 'if-none-match': '*' };
    return { listId, uploadUrl, expiresAt: expiresAt.toISOString(), headers };
  }

  /**
   * Imports a list sent as a request body. The whole file is checked first: a file refused as a whole throws
   * before anything is stored. Otherwise the original is stored and imported until `deadline`; what is left then is
   * handed to the upload event (`INCOMPLETE`).
   * @param handoffAt - When the calling Lambda is certainly over (its hard time-out): the upload event waits until
   *   then, unless the import finishes or hands off earlier.
   * @throws ListFormatError or CallingWindowClosedError when the file or the campaign cannot be imported at all.
   */
  async importBody(input: {
    campaign: Campaign;
    date: string;
    format: ListFileFormat;
    bytes: Buffer;
    deadline: number;
    handoffAt: Date;
  }): Promise<{ outcome: 'DONE' | 'FAILED' | 'INCOMPLETE'; ref: ListRef }> {
    const { campaign, date, format, bytes } = input;
    const now = this.clock.now();
    await checkList(Readable.from([bytes]), format, campaign, { date, now }, this.readOptions());
    const ref: ListRef = { campaignId: campaign.id, date, listId: newListId(date) };
    const objectKey = listObjectKey(campaign.id, date, ref.listId, format);
    await this.ports.records.create({
      ...ref,
      status: 'RECEIVED',
      source: 'body',
      format,
      objectKey,
      createdAt: now,
      handoffAt: input.handoffAt,
      sizeBytes: bytes.length,
    });
    try {
      await this.ports.files.put(objectKey, bytes, CONTENT_TYPES[format]);
    } catch (error) {
      await this.refuse(ref, 'NOT_STORED', 'the file could not be stored; nothing was imported: upload it again');
      throw error;
    }
    const outcome = await this.run(ref, campaign, format, {
      open: async () => Readable.from([bytes]),
      checked: true,
      deadline: input.deadline,
    });
    if (outcome === 'INCOMPLETE') await this.ports.records.handOff(ref, this.clock.now());
    return { outcome, ref };
  }

  /**
   * Imports the list whose original was just stored at `objectKey` (the upload event). Ignores objects that are
   * not lists, lists already DONE, and small lists the API call finished; waits while the API call may still be
   * importing one.
   * @param deadline - Stop writing then (ms since the epoch); the outcome is `INCOMPLETE` and a rerun continues.
   */
  async importUploaded(objectKey: string, sizeBytes: number, deadline?: number): Promise<ImportOutcome> {
    const ids = parseListObjectKey(objectKey);
    if (ids === undefined) return { outcome: 'IGNORED', reason: `${objectKey} is not a list upload` };
    const ref: ListRef = { campaignId: ids.campaignId, date: ids.date, listId: ids.listId };
    let record = await this.ports.records.get(ref);
    if (record === undefined || record.objectKey !== objectKey) {
      return { outcome: 'IGNORED', reason: 'no list was created for this object', ref };
    }
    if (record.source === 'body') record = await this.waitForHandoff(record);
    if (record.status === 'DONE') return { outcome: 'IGNORED', reason: 'the list is already imported', ref };
    if (record.source === 'body' && record.status === 'FAILED' && record.error?.retryable === false) {
      return { outcome: 'IGNORED', reason: 'the list was refused', ref };
    }
    const now = this.clock.now();
    // S3 refuses a PUT of another size than the URL was made for; a store that does not (an emulator) is caught here.
    if (
      record.status === 'AWAITING_UPLOAD' &&
      record.sizeBytes !== undefined &&
      sizeBytes !== 0 &&
      sizeBytes !== record.sizeBytes
    ) {
      await this.refuse(
        ref,
        'UPLOAD_SIZE_MISMATCH',
        `the upload has ${sizeBytes} bytes; its URL was made for ${record.sizeBytes}: ask for a new upload URL`,
      );
      return { outcome: 'FAILED', ref };
    }
    if (record.status === 'AWAITING_UPLOAD') await this.ports.records.markReceived(ref, sizeBytes, now);
    const stored = await this.ports.campaigns.get(ref.campaignId);
    if (stored === undefined) {
      await this.refuse(ref, 'CAMPAIGN_NOT_FOUND', `campaign "${ref.campaignId}" does not exist (any more)`);
      return { outcome: 'FAILED', ref };
    }
    if (isPastDate(ref.date, now)) {
      await this.refuse(ref, 'DATE_IN_PAST', `the run's date ${ref.date} is over: nobody can be called for it`);
      return { outcome: 'FAILED', ref };
    }
    const retentionDays = this.options.retentionDays;
    if (retentionDays !== undefined && isBeyondRetention(ref.date, now, retentionDays)) {
      await this.refuse(
        ref,
        'DATE_BEYOND_RETENTION',
        `the run's date ${ref.date} is after ${latestRunDate(now, retentionDays)}, more than the ${retentionDays} days ` +
          'personal data is kept',
      );
      return { outcome: 'FAILED', ref };
    }
    const outcome = await this.run(ref, stored.campaign, ids.format, {
      open: () => this.ports.files.open(objectKey),
      checked: false,
      deadline,
    });
    return { outcome, ref };
  }

  /** Raises the import-rejection alert when the list's rejection rate is above the campaign's threshold. */
  private async alertOnRejections(
    ref: ListRef,
    campaign: Campaign,
    summary: { rows: number; rejected: number },
  ): Promise<void> {
    const threshold = campaign.import.rejectionAlertThreshold;
    const rejectionRate = summary.rows === 0 ? 0 : summary.rejected / summary.rows;
    if (this.ports.alerts === undefined || !exceedsRejectionThreshold({ rows: summary.rows, rejectionRate }, threshold))
      return;
    await this.ports.alerts
      .publish(
        importRejectionAlert({
          campaignId: ref.campaignId,
          date: ref.date,
          listId: ref.listId,
          rows: summary.rows,
          rejected: summary.rejected,
          threshold,
          finishedAt: this.clock.now().toISOString(),
        }),
      )
      .catch((error: unknown) => logger.error('import rejection alert not sent', { error, listId: ref.listId }));
  }

  /**
   * One import run of a list: IMPORTING, then DONE with the summary, or FAILED. A refused file or campaign is
   * recorded and reported as FAILED; any other error is recorded as retryable and thrown, so the caller's retry
   * (Lambda's, for the upload event) runs the import again.
   */
  private async run(
    ref: ListRef,
    campaign: Campaign,
    format: ListFileFormat,
    source: { open: () => Promise<ListInput>; checked: boolean; deadline?: number },
  ): Promise<'DONE' | 'FAILED' | 'INCOMPLETE'> {
    const { records, files } = this.ports;
    const now = this.clock.now();
    // A run that died (out of memory or time) cannot record it: the next run does, and the list ends FAILED
    // instead of IMPORTING for ever (retrying would only die again on the same file).
    const before = await records.get(ref);
    if (before?.status === 'IMPORTING' && before.runningSince !== undefined) {
      const silentMs = now.getTime() - Date.parse(before.heartbeatAt ?? before.runningSince);
      if (silentMs > (this.options.deadAfterMs ?? 60_000)) {
        await this.refuse(
          ref,
          'IMPORT_DIED',
          `the import stopped without finishing (out of memory or time; last sign of life ${before.heartbeatAt ?? before.runningSince}); ` +
            'rows imported until then stay: check the file (a workbook that inflates hugely?) and upload it again',
        );
        return 'FAILED';
      }
    }
    if (!(await records.startImport(ref, now))) return 'DONE';
    const heartbeat = setInterval(() => {
      records
        .heartbeat(ref, this.clock.now())
        .catch((error: unknown) => logger.warn('import heartbeat not written', { error, listId: ref.listId }));
    }, this.options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    try {
      if (!source.checked) {
        await checkList(await source.open(), format, campaign, { date: ref.date, now }, this.readOptions());
      }
      const rejectedKey = rejectedRowsObjectKey(ref.listId);
      const rejected = await files.rejectedRowsUpload(rejectedKey);
      let result: Awaited<ReturnType<typeof importList>>;
      try {
        result = await importList(
          {
            contacts: this.ports.contacts,
            origins: records,
            doNotCall: this.ports.doNotCall,
            ...(this.ports.ledgers !== undefined && { ledgers: this.ports.ledgers }),
          },
          {
            campaign,
            date: ref.date,
            listId: ref.listId,
            format,
            input: await source.open(),
            now,
            rejected,
            deadline: source.deadline,
            onProgress: (progress) => records.recordProgress(ref, progress, this.clock.now()),
          },
          {
            clock: () => this.clock.now().getTime(),
            ...this.options.import,
            ...(this.options.contactPolicy !== undefined && { contactPolicy: this.options.contactPolicy }),
          },
        );
      } catch (error) {
        await rejected.discard();
        throw error;
      }
      if (!result.complete) {
        await rejected.discard();
        const { rows, accepted, rejected: refused, duplicates, suppressed } = result.summary;
        await records.recordProgress(
          ref,
          { rows, accepted, rejected: refused, duplicates, suppressed },
          this.clock.now(),
        );
        await records.release(ref, this.clock.now());
        return 'INCOMPLETE';
      }
      await rejected.finish();
      await records.complete(ref, result.summary, rejectedKey, this.clock.now());
      await this.alertOnRejections(ref, campaign, result.summary);
      return 'DONE';
    } catch (error) {
      const failure = failureOf(error);
      await records.fail(ref, failure, this.clock.now());
      if (failure.retryable) throw error;
      return 'FAILED';
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Waits while the API call that received a small list may still be importing it. */
  private async waitForHandoff(record: ListRecord): Promise<ListRecord> {
    let current = record;
    const poll = this.options.handoffPollMs ?? 1_000;
    for (;;) {
      const handoffAt = current.handoffAt === undefined ? 0 : Date.parse(current.handoffAt);
      const wait = handoffAt - this.clock.now().getTime();
      if (current.status === 'DONE' || current.status === 'FAILED' || wait <= 0) return current;
      await this.clock.sleep(Math.min(poll, wait));
      current = (await this.ports.records.get(current)) ?? current;
    }
  }

  private async refuse(ref: ListRef, code: string, message: string): Promise<void> {
    await this.ports.records.fail(ref, { code, message, retryable: false }, this.clock.now());
  }

  private readOptions(): { maxRows?: number } {
    const maxRows = this.options.import?.maxRows;
    return maxRows === undefined ? {} : { maxRows };
  }
}

/** How an error is recorded on the list: the file's and the campaign's problems are final, anything else is not. */
export function failureOf(error: unknown): ListFailure {
  if (error instanceof ListFormatError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.line !== undefined && { line: error.line }),
      ...(error.column !== undefined && { column: error.column }),
      retryable: false,
    };
  }
  if (error instanceof CallingWindowClosedError) {
    return { code: 'CALLING_WINDOW_CLOSED', message: `the campaign's ${error.message}`, retryable: false };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'INTERRUPTED', message: `the import broke off and will be retried (${message})`, retryable: true };
}
