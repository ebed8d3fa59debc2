import { describe, expect, it } from 'vitest';
import type { ExportJob } from '../../../cli/api-schemas.ts';
import { followExport, waitOption } from '../../../cli/commands/report.ts';
import { ApiError, CliError, NetworkError, UsageError } from '../../../cli/errors.ts';

const STATUS_PATH = '/campaigns/demo/reports/2026-11-23/exports/x1';
const RESUME = 'pick it up with `campaign report --campaign demo --date 2026-11-23 --export x1`';
const RUNNING: ExportJob = { exportId: 'x1', status: 'RUNNING', rows: 0, statusUrl: STATUS_PATH };

/** An API answering the status URL with the given jobs in turn; a clock that moves with each wait. */
function fakes(answers: Array<ExportJob | Error>) {
  let now = 0;
  const asked: string[] = [];
  return {
    asked,
    waits: [] as number[],
    client: {
      json: async (_schema: unknown, request: { path: string }) => {
        asked.push(request.path);
        const next = answers.shift();
        if (next === undefined) throw new Error('asked once too often');
        if (next instanceof Error) throw next;
        return next;
      },
    } as never,
    wait(this: { waits: number[] }, ms: number) {
      this.waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    clock: () => now,
  };
}

describe('campaign report: following a large export', () => {
  it('asks the status URL, showing rows so far, until the link is ready', async () => {
    const api = fakes([
      { ...RUNNING, rows: 2_000 },
      { ...RUNNING, rows: 4_000 },
      { exportId: 'x1', status: 'DONE', rows: 5_000, url: 'https://s3/x1.csv', bytes: 700_000 },
    ]);
    const seen: number[] = [];
    const done = await followExport(
      api.client,
      RUNNING,
      STATUS_PATH,
      (rows) => seen.push(rows),
      60_000,
      RESUME,
      api.wait.bind(api),
      api.clock,
    );
    expect(done).toMatchObject({ url: 'https://s3/x1.csv', rows: 5_000 });
    expect(seen).toEqual([0, 2_000, 4_000]);
    expect(api.asked).toEqual(Array(3).fill(STATUS_PATH));
    expect(api.waits).toEqual([1_000, 2_000, 3_000]);
  });

  it('returns a finished export at once, without asking again', async () => {
    const api = fakes([]);
    const done = { exportId: 'x1', status: 'DONE' as const, rows: 3, url: 'https://s3/x1.csv', bytes: 300 };
    expect(
      await followExport(api.client, done, STATUS_PATH, () => undefined, 1_000, RESUME, api.wait.bind(api), api.clock),
    ).toEqual(done);
    expect(api.asked).toEqual([]);
  });

  it('names the reason of a failed export', async () => {
    const api = fakes([
      { exportId: 'x1', status: 'FAILED', rows: 10, error: 'the export did not finish within 15 minutes' },
    ]);
    const failure = followExport(
      api.client,
      RUNNING,
      STATUS_PATH,
      () => undefined,
      60_000,
      RESUME,
      api.wait.bind(api),
      api.clock,
    );
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toThrow('export x1 failed: the export did not finish within 15 minutes');
  });

  it('gives up after --timeout, saying where to ask later', async () => {
    const api = fakes(Array.from({ length: 10 }, () => ({ ...RUNNING, rows: 1 })));
    const failure = followExport(
      api.client,
      RUNNING,
      STATUS_PATH,
      () => undefined,
      5_000,
      RESUME,
      api.wait.bind(api),
      api.clock,
    );
    await expect(failure).rejects.toMatchObject({
      message: 'export x1 is still running after 5 s',
      hint: expect.stringContaining('--export x1'),
    });
  });

  it('takes --wait from 0 to 25 seconds', () => {
    expect(waitOption(undefined)).toBeUndefined();
    expect(waitOption('0')).toBe(0);
    expect(waitOption('25')).toBe(25);
    expect(() => waitOption('26')).toThrow(UsageError);
    expect(() => waitOption('soon')).toThrow('--wait soon is not a number of seconds from 0 to 25');
  });

  it('rides out a network failure or a 503 while following, but not a refusal', async () => {
    const done = { exportId: 'x1', status: 'DONE' as const, rows: 7, url: 'https://s3/x1.csv', bytes: 70 };
    const api = fakes([new NetworkError('cannot reach the API'), new ApiError(503, 'Service Unavailable'), done]);
    expect(
      await followExport(
        api.client,
        RUNNING,
        STATUS_PATH,
        () => undefined,
        60_000,
        RESUME,
        api.wait.bind(api),
        api.clock,
      ),
    ).toEqual(done);
    const refused = fakes([new ApiError(403, 'Forbidden')]);
    await expect(
      followExport(
        refused.client,
        RUNNING,
        STATUS_PATH,
        () => undefined,
        60_000,
        RESUME,
        refused.wait.bind(refused),
        refused.clock,
      ),
    ).rejects.toThrow('Forbidden');
  });
});
