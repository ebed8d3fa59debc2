import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../../../../functions/use-cases/dialing/ports.ts';
import {
  EXPORT_ID,
  exportView,
  judgeJob,
  newExportId,
  QUEUE_SECONDS,
  requestExport,
  runExportJob,
  WORKER_SECONDS,
  waitForExport,
} from '../../../../functions/use-cases/reports/export-job.ts';
import type { ExportJob, ObjectWriter } from '../../../../functions/use-cases/reports/ports.ts';

const REF = { campaignId: 'demo', date: '2026-11-23', exportId: '20261123t090000000z-abcdef' };
const T0 = Date.parse('2026-11-23T09:00:00.000Z');

const contact = (phone: string, answer: string): ContactRecord => ({
  campaignId: 'demo',
  date: '2026-11-23',
  phone,
  status: 'COMPLETED',
  attempts: 1,
  attemptLog: [],
  timeZone: 'Europe/Warsaw',
  attributes: {},
  answers: { q1: answer },
});

/** Export jobs in memory, with the store's rules: claimed once, never changed after they end. */
function memoryJobs(initial?: Partial<ExportJob>) {
  let job: ExportJob | undefined =
    initial === undefined
      ? undefined
      : {
          ...REF,
          format: 'csv',
          filters: [],
          status: 'RUNNING',
          rows: 0,
          createdAt: new Date(T0).toISOString(),
          ...initial,
        };
  const reported: number[] = [];
  return {
    reported,
    current: () => job,
    async create(request: Pick<ExportJob, 'campaignId' | 'date' | 'exportId' | 'format' | 'filters'>, now: Date) {
      job = { ...request, status: 'RUNNING' as const, rows: 0, createdAt: now.toISOString() };
      return job;
    },
    async get() {
      return job;
    },
    async claim(_c: string, _d: string, _e: string, now: Date) {
      if (job === undefined || job.startedAt !== undefined || job.status !== 'RUNNING') return false;
      job = { ...job, startedAt: now.toISOString() };
      return true;
    },
    async progress(_c: string, _d: string, _e: string, rows: number) {
      reported.push(rows);
      if (job) job = { ...job, rows };
    },
    async finish(
      _c: string,
      _d: string,
      _e: string,
      result: { key: string; fileName: string; rows: number; bytes: number },
    ) {
      if (job) job = { ...job, ...result, status: 'DONE' };
    },
    async fail(_c: string, _d: string, _e: string, error: string) {
      if (job) job = { ...job, status: 'FAILED', error };
    },
  };
}

const bucket = {
  writer: () =>
    ({
      bytes: 42,
      async write() {},
      async close() {},
      async abort() {},
    }) satisfies ObjectWriter,
};
const campaigns = { get: async () => undefined };

/** A clock that moves 1 s every time it is read. */
function tickingClock() {
  let now = T0;
  return () => {
    now += 1_000;
    return new Date(now);
  };
}

describe('export jobs', () => {
  it('names exports by request time, in the characters the status path accepts', () => {
    const id = newExportId(new Date(T0));
    expect(id).toMatch(/^20261123t090000000z-[0-9a-f]{6}$/);
    expect(newExportId(new Date(T0))).not.toBe(id);
    // Every id of the engine's lifetime has the fixed shape the API's permission tiers name.
    for (const at of [0, T0, Date.UTC(9999, 11, 31, 23, 59, 59, 999)])
      expect(newExportId(new Date(at))).toMatch(EXPORT_ID);
    expect(EXPORT_ID.test('reports')).toBe(false);
  });

  it('records the request, then hands the worker only where to find it', async () => {
    const jobs = memoryJobs();
    const handed: unknown[] = [];
    const job = await requestExport(
      {
        jobs,
        invoke: async (payload) => {
          handed.push(payload);
        },
      },
      { campaignId: 'demo', date: '2026-11-23', format: 'xlsx', filters: [{ questionId: 'q1', key: '2' }] },
      new Date(T0),
    );
    expect(job).toMatchObject({ status: 'RUNNING', rows: 0, format: 'xlsx', createdAt: '2026-11-23T09:00:00.000Z' });
    expect(handed).toEqual([{ campaignId: 'demo', date: '2026-11-23', exportId: job.exportId }]);
  });

  it('streams the run once per job with progress, and records the result', async () => {
    const jobs = memoryJobs({ filters: [{ questionId: 'q1', key: '2' }] });
    const pages = Array.from({ length: 5 }, (_, page) => [
      contact(`+4860100000${page}1`, '1'),
      contact(`+4860100000${page}2`, '2'),
    ]);
    const store = {
      async *contactPages() {
        yield* pages;
      },
      async *followUpsInPhoneOrder() {},
    };
    const ports = { campaigns, store, bucket, jobs };
    expect(await runExportJob(ports, REF, tickingClock())).toEqual({ outcome: 'DONE', rows: 5 });
    expect(jobs.current()).toMatchObject({
      status: 'DONE',
      rows: 5,
      bytes: 42,
      fileName: 'demo-2026-11-23-contacts-q1-2.csv',
    });
    // Progress at most every 2 s of a clock moving 1 s per read: not after every page.
    expect(jobs.reported.length).toBeGreaterThan(0);
    expect(jobs.reported.length).toBeLessThan(pages.length);
    // A second delivery of the same event finds the job taken and writes nothing.
    expect(await runExportJob(ports, REF, tickingClock())).toEqual({ outcome: 'ALREADY_TAKEN' });
    expect(await runExportJob({ ...ports, jobs: memoryJobs() }, REF)).toEqual({ outcome: 'NO_JOB' });
  });

  it('records a failure on the job for whoever waits, instead of leaving it running', async () => {
    const jobs = memoryJobs({});
    const store = {
      // biome-ignore lint/correctness/useYield: fails before its first page
      async *contactPages(): AsyncGenerator<ContactRecord[]> {
        throw new Error('ProvisionedThroughputExceededException: slow down');
      },
      async *followUpsInPhoneOrder() {},
    };
    const result = await runExportJob({ campaigns, store, bucket, jobs }, REF);
    expect(result.outcome).toBe('FAILED');
    expect(jobs.current()).toMatchObject({
      status: 'FAILED',
      error: 'ProvisionedThroughputExceededException: slow down',
    });
  });

  it('tells a job the worker can no longer finish as failed', () => {
    const job = memoryJobs({}).current() as ExportJob;
    const at = (seconds: number) => new Date(T0 + seconds * 1000);
    expect(judgeJob(job, at(QUEUE_SECONDS)).status).toBe('RUNNING');
    expect(judgeJob(job, at(QUEUE_SECONDS + 61))).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/not started within 10 minutes/),
    });
    const started = { ...job, startedAt: at(60).toISOString() };
    expect(judgeJob(started, at(QUEUE_SECONDS + 61)).status).toBe('RUNNING');
    expect(judgeJob(started, at(60 + WORKER_SECONDS + 61))).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/within 15 minutes/),
    });
    expect(judgeJob({ ...started, status: 'DONE' }, at(86_400)).status).toBe('DONE');
  });

  it('waits for the job until it ends or the wait is over', async () => {
    let now = T0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const jobs = memoryJobs({});
    const running = await waitForExport(jobs, REF, 5_000, clock);
    expect(running?.status).toBe('RUNNING');
    expect(now - T0).toBe(5_000);

    let reads = 0;
    const finishing = {
      get: async () => ({ ...(jobs.current() as ExportJob), ...(++reads === 3 && { status: 'DONE' as const }) }),
    };
    now = T0;
    expect((await waitForExport(finishing, REF, 20_000, clock))?.status).toBe('DONE');
    expect(now - T0).toBeLessThan(1_000);
    expect(await waitForExport(memoryJobs(), REF, 5_000, clock)).toBeUndefined();
  });

  it('shows a done job with its download link and the filter it was asked with', async () => {
    const job = memoryJobs({
      status: 'DONE',
      key: 'exports/demo/2026-11-23/x-demo-2026-11-23-contacts-q1-2.csv',
      fileName: 'demo-2026-11-23-contacts-q1-2.csv',
      filters: [{ questionId: 'q1', key: '2' }],
    }).current() as ExportJob;
    const links: string[] = [];
    const signer = { downloadUrl: async (key: string, fileName: string) => `https://s3/${key}?as=${fileName}` };
    const lifetimes: Array<number | undefined> = [];
    const recording = {
      downloadUrl: async (key: string, name: string, seconds?: number) => {
        links.push(name);
        lifetimes.push(seconds);
        return signer.downloadUrl(key, name);
      },
    };
    const view = await exportView(recording, job, 300, new Date(T0));
    expect(view).toMatchObject({
      status: 'DONE',
      answer: 'q1:2',
      url: expect.stringContaining('https://s3/exports/demo'),
      urlExpiresAt: new Date(T0 + 300_000).toISOString(),
    });
    expect(view).not.toHaveProperty('filters');
    expect(links).toEqual(['demo-2026-11-23-contacts-q1-2.csv']);
    // Links last minutes, not the bucket's default day.
    expect(lifetimes).toEqual([300]);
    const running = await exportView(signer, { ...job, status: 'RUNNING', key: undefined }, 300, new Date(T0));
    expect(running.url).toBeUndefined();
    expect(running.urlExpiresAt).toBeUndefined();
  });
});
