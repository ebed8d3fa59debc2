/**
 * What the report use cases need from the outside world, as small interfaces: the DynamoDB and S3 adapters
 * (report-store, reports-bucket, export-jobs, campaign-store) implement them, the tests hand in memory versions.
 */
import type { Campaign } from '../../core/campaign.ts';
import type { AnswerFilter } from '../../core/report/contact-rows.ts';
import type { RunCounters } from '../../core/report/summary.ts';
import type { ContactRecord } from '../dialing/ports.ts';

/** The campaign definitions reports name questions from. */
export interface CampaignDefinitions {
  get(campaignId: string): Promise<{ campaign: Campaign } | undefined>;
}

/** A run as reports see it: its status and times, and its counters. */
export interface RunCountersRecord {
  date: string;
  status: string;
  startedAt?: string;
  finishedAt?: string;
  campaignVersion?: number;
  counters: RunCounters;
}

/** What reports read of runs: counters for summaries, contacts and follow-ups in phone order for exports. */
export interface ReportReader {
  runCounters(campaignId: string, date: string): Promise<RunCountersRecord | undefined>;
  runsCounters(campaignId: string, dates: readonly string[]): Promise<RunCountersRecord[]>;
  followUpsInPhoneOrder(campaignId: string, date: string): AsyncIterator<{ phone: string; text: string }>;
  contactPages(campaignId: string, date: string): AsyncIterable<ContactRecord[]>;
}

/** One object written as a sequence of chunks: `close` completes it, `abort` drops it. */
export interface ObjectWriter {
  /** Bytes written so far. */
  readonly bytes: number;
  write(chunk: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Where exports are written and fetched from. */
export interface ReportFiles {
  writer(key: string, contentType: string): ObjectWriter;
  /** A link that downloads the object as `fileName` for `expiresInSeconds`. */
  downloadUrl(key: string, fileName: string, expiresInSeconds?: number): Promise<string>;
}

export type ExportFormat = 'csv' | 'xlsx';

export type ExportJobStatus = 'RUNNING' | 'DONE' | 'FAILED';

export interface ExportJob {
  campaignId: string;
  date: string;
  exportId: string;
  format: ExportFormat;
  filters: AnswerFilter[];
  status: ExportJobStatus;
  /** Rows written so far (all of them once DONE). */
  rows: number;
  createdAt: string;
  /** When the worker took the job; absent while it waits for the worker. */
  startedAt?: string;
  finishedAt?: string;
  key?: string;
  fileName?: string;
  bytes?: number;
  error?: string;
}

/** Export jobs: created by the API, claimed once by the worker, never changed after they end. */
export interface ExportJobs {
  create(
    job: Pick<ExportJob, 'campaignId' | 'date' | 'exportId' | 'format' | 'filters'>,
    now: Date,
  ): Promise<ExportJob>;
  get(campaignId: string, date: string, exportId: string): Promise<ExportJob | undefined>;
  /** Takes the job for one worker: false when it was taken already or has ended. */
  claim(campaignId: string, date: string, exportId: string, now: Date): Promise<boolean>;
  progress(campaignId: string, date: string, exportId: string, rows: number): Promise<void>;
  finish(
    campaignId: string,
    date: string,
    exportId: string,
    result: { key: string; fileName: string; rows: number; bytes: number },
    now: Date,
  ): Promise<void>;
  fail(campaignId: string, date: string, exportId: string, message: string, now: Date): Promise<void>;
}
