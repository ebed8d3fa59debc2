import { describe, expect, it } from 'vitest';
import type { ExportJob } from '../../../cli/api-schemas.ts';
import { followExport, waitOption } from '../../../cli/commands/report.ts';
import { CliError, UsageError } from '../../../cli/errors.ts';

const RUNNING: ExportJob = {
  exportId: 'x1',
  status: 'RUNNING',
  rows: 0,
  statusUrl: '/campaigns/demo/reports/2026-11-23/exports/x1',
};

/** An API answering the status URL with the given jobs in turn; a clock that moves with each wait. */
function fakes(answers: ExportJob[]) {
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
      (rows) => seen.push(rows),
      60_000,
      api.wait.bind(api),
      api.clock,
    );
    expect(done).toMatchObject({ url: 'https://s3/x1.csv', rows: 5_000 });
    expect(seen).toEqual([0, 2_000, 4_000]);
    expect(api.asked).toEqual(Array(3).fill(RUNNING.statusUrl));
    expect(api.waits).toEqual([1_000, 2_000, 3_000]);
  });

  it('returns a finished export at once, without asking again', async () => {
    const api = fakes([]);
    const done = { exportId: 'x1', status: 'DONE' as const, rows: 3, url: 'https://s3/x1.csv', bytes: 300 };
    expect(await followExport(api.client, done, () => undefined, 1_000, api.wait.bind(api), api.clock)).toEqual(done);
    expect(api.asked).toEqual([]);
  });

  it('names the reason of a failed export', async () => {
    const api = fakes([
      { exportId: 'x1', status: 'FAILED', rows: 10, error: 'the export did not finish within 15 minutes' },
    ]);
    const failure = followExport(api.client, RUNNING, () => undefined, 60_000, api.wait.bind(api), api.clock);
    await expect(failure).rejects.toThrow(CliError);
    await expect(failure).rejects.toThrow('the export failed: the export did not finish within 15 minutes');
  });

  it('gives up after --timeout, saying where to ask later', async () => {
    const api = fakes(Array.from({ length: 10 }, () => ({ ...RUNNING, rows: 1 })));
    const failure = followExport(api.client, RUNNING, () => undefined, 5_000, api.wait.bind(api), api.clock);
    await expect(failure).rejects.toMatchObject({
      message: 'export x1 is still running after 5 s',
      hint: expect.stringContaining(RUNNING.statusUrl ?? ''),
    });
  });

  it('takes --wait from 0 to 25 seconds', () => {
    expect(waitOption(undefined)).toBeUndefined();
    expect(waitOption('0')).toBe(0);
    expect(waitOption('25')).toBe(25);
    expect(() => waitOption('26')).toThrow(UsageError);
    expect(() => waitOption('soon')).toThrow('--wait soon is not a number of seconds from 0 to 25');
  });
});
