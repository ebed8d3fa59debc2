/**
 * The per-contact export as a job, so its size is not bounded by the API's 29 s: the API records the request and
 * hands it to the export worker (a 15-minute function), then waits a while for it. A small run's export is done
 * within the wait and answered at once; a large one is answered "still running" with where to ask again.
 */
import { randomBytes } from 'node:crypto';
import type { AnswerFilter } from '../../core/report/contact-rows.ts';
import { exportContacts } from './export-contacts.ts';
import type { ExportFormat, ExportJob, ExportJobs, ReportFiles, ReportReader } from './ports.ts';
import { questionsOf, type ReportPorts } from './run-report.ts';

/** The worker's own time limit (its Lambda timeout). */
export const WORKER_SECONDS = 900;
/**
 * Longest a job may wait for the worker: Lambda keeps an asynchronous event this long (`maximumEventAge`) when the
 * worker's reserved concurrency is in use, then drops it.
 */
export const QUEUE_SECONDS = 600;
/** Progress is written at most this often (one write per interval, whatever the list size). */
const PROGRESS_INTERVAL_MS = 2_000;

export interface ExportJobRef {
  campaignId: string;
  date: string;
  exportId: string;
}

/**
 * What {@link newExportId} makes: fixed length, so the API's permission tiers can name the status route exactly
 * (serverless.yml, `custom.apiAccess.pathParameters.exportId`).
 */
export const EXPORT_ID = /^\d{8}t\d{9}z-[0-9a-f]{6}$/;

/** `20261122t091500123z-3fa9c1`: sortable by request time, unique without coordination. */
export function newExportId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '').toLowerCase()}-${randomBytes(3).toString('hex')}`;
}

export interface ExportRequestPorts {
  jobs: Pick<ExportJobs, 'create' | 'get'>;
  invoke(payload: ExportJobRef): Promise<void>;
}

/** Records the request and hands it to the worker. */
export async function requestExport(
  ports: ExportRequestPorts,
  request: { campaignId: string; date: string; format: ExportFormat; filters: AnswerFilter[] },
  now = new Date(),
): Promise<ExportJob> {
  const job = await ports.jobs.create({ ...request, exportId: newExportId(now) }, now);
  await ports.invoke({ campaignId: job.campaignId, date: job.date, exportId: job.exportId });
  return job;
}

/** The job as it stands, with a job the worker can no longer finish (lost, or past its time limit) told as FAILED. */
export function judgeJob(job: ExportJob, now: Date): ExportJob {
  if (job.status !== 'RUNNING') return job;
  const since = (at: string) => (now.getTime() - Date.parse(at)) / 1000;
  if (job.startedAt === undefined && since(job.createdAt) > QUEUE_SECONDS + 60)
    return { ...job, status: 'FAILED', error: `the export was not started within ${QUEUE_SECONDS / 60} minutes` };
  if (job.startedAt !== undefined && since(job.startedAt) > WORKER_SECONDS + 60)
    return { ...job, status: 'FAILED', error: `the export did not finish within ${WORKER_SECONDS / 60} minutes` };
  return job;
}

/** Polls the job until it has ended or `waitMs` has passed; returns it as it then stands. */
export async function waitForExport(
  jobs: Pick<ExportJobs, 'get'>,
  ref: ExportJobRef,
  waitMs: number,
  clock: { now(): number; sleep(ms: number): Promise<void> } = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): Promise<ExportJob | undefined> {
  const deadline = clock.now() + waitMs;
  let pause = 200;
  for (;;) {
    const job = await jobs.get(ref.campaignId, ref.date, ref.exportId);
    if (job === undefined) return undefined;
    const judged = judgeJob(job, new Date(clock.now()));
    const left = deadline - clock.now();
    if (judged.status !== 'RUNNING' || left <= 0) return judged;
    await clock.sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, 1_000);
  }
}

/**
 * What the API says of a job: its state and, once done, a download link made for this request that lasts
 * `linkSeconds` (minutes, `EXPORT_LINK_SECONDS`) and says when it expires (`urlExpiresAt`). Links are never stored
 * or sent anywhere else: whoever wants the file again asks the API, which checks who is asking.
 */
export async function exportView(
  bucket: Pick<ReportFiles, 'downloadUrl'>,
  job: ExportJob,
  linkSeconds: number,
  now = new Date(),
) {
  const judged = judgeJob(job, now);
  const url =
    judged.status === 'DONE' && judged.key !== undefined
      ? await bucket.downloadUrl(judged.key, judged.fileName ?? judged.key.split('/').pop() ?? 'contacts', linkSeconds)
      : undefined;
  const { filters, ...rest } = judged;
  return {
    ...rest,
    answer: filters.length > 0 ? filters.map((filter) => `${filter.questionId}:${filter.key}`).join(',') : undefined,
    url,
    urlExpiresAt: url === undefined ? undefined : new Date(now.getTime() + linkSeconds * 1000).toISOString(),
  };
}

export type ExportJobOutcome =
  | { outcome: 'DONE'; rows: number }
  | { outcome: 'FAILED'; error: unknown }
  | { outcome: 'ALREADY_TAKEN' | 'NO_JOB' };

/**
 * The worker: takes the job once, streams the export to S3 with progress, and records the result. A failure is
 * recorded on the job, so whoever waits hears it, and returned for the worker to log: nobody would retry it.
 */
export async function runExportJob(
  ports: {
    campaigns: ReportPorts['campaigns'];
    store: Pick<ReportReader, 'contactPages' | 'followUpsInPhoneOrder'>;
    bucket: Pick<ReportFiles, 'writer'>;
    jobs: Pick<ExportJobs, 'claim' | 'get' | 'progress' | 'finish' | 'fail'>;
  },
  ref: ExportJobRef,
  clock: () => Date = () => new Date(),
): Promise<ExportJobOutcome> {
  const { campaignId, date, exportId } = ref;
  if (!(await ports.jobs.claim(campaignId, date, exportId, clock())))
    return { outcome: (await ports.jobs.get(campaignId, date, exportId)) === undefined ? 'NO_JOB' : 'ALREADY_TAKEN' };
  try {
    const job = await ports.jobs.get(campaignId, date, exportId);
    if (job === undefined) return { outcome: 'NO_JOB' };
    const stored = await ports.campaigns.get(campaignId);
    let reportedAt = clock().getTime();
    const result = await exportContacts(
      ports.store,
      ports.bucket,
      { campaignId, date, format: job.format, questions: questionsOf(stored?.campaign), filters: job.filters },
      clock(),
      async (rows) => {
        if (clock().getTime() - reportedAt < PROGRESS_INTERVAL_MS) return;
        reportedAt = clock().getTime();
        await ports.jobs.progress(campaignId, date, exportId, rows);
      },
    );
    await ports.jobs.finish(campaignId, date, exportId, result, clock());
    return { outcome: 'DONE', rows: result.rows };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await ports.jobs.fail(campaignId, date, exportId, message.slice(0, 1_000), clock());
    return { outcome: 'FAILED', error };
  }
}
