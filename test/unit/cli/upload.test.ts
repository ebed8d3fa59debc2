import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListView } from '../../../cli/api-schemas.ts';
import { pollImport, putFile } from '../../../cli/commands/upload.ts';
import { CliError } from '../../../cli/errors.ts';

describe('putFile', () => {
  it('reports storage that cannot be reached as one CLI error, without crashing the process', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-upload-')), 'list.csv');
    writeFileSync(file, 'phone\n+48601234567\n');
    // Port 9 (discard) is closed on loopback: the connection is refused while the body streams.
    const upload = putFile('http://127.0.0.1:9/bucket/list.csv', file, 20, () => undefined);
    await expect(upload).rejects.toBeInstanceOf(CliError);
    await expect(upload).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('following an import', () => {
  const list = { campaignId: 'demo', listId: '20261123-00ff' };
  /** An API answering the list's status with the given views in turn (the last one for ever); a clock moved by sleeps. */
  function fakes(views: Array<Partial<ListView>>) {
    let now = 0;
    const updates: unknown[] = [];
    return {
      updates,
      client: {
        json: async () => ({ ...list, ...(views.length > 1 ? views.shift() : views[0]) }),
      } as never,
      progress: { update: (state: unknown) => void updates.push(state) },
      clock: { now: () => now, sleep: async (ms: number) => (now += ms) },
    };
  }

  it('shows the rows imported so far until the import is done', async () => {
    const api = fakes([
      { status: 'RECEIVED' },
      { status: 'IMPORTING', progress: { rows: 500 } } as Partial<ListView>,
      { status: 'DONE' },
    ]);
    const done = await pollImport(api.client, list, api.progress, Promise.resolve(1_000), 60_000, api.clock);
    expect(done.status).toBe('DONE');
    expect(api.updates).toEqual([
      { label: 'waiting for the import to start', done: 0, unit: 'rows' },
      { label: 'importing', done: 500, total: 1_000, approximate: true, unit: 'rows' },
    ]);
  });

  it('stops following after --timeout, saying the import goes on and how to follow it', async () => {
    const api = fakes([{ status: 'IMPORTING', progress: { rows: 42 } } as Partial<ListView>]);
    const following = pollImport(api.client, list, api.progress, Promise.resolve(undefined), 120_000, api.clock);
    await expect(following).rejects.toBeInstanceOf(CliError);
    await expect(following).rejects.toMatchObject({
      message: 'list 20261123-00ff is still importing after 2 min (42 rows so far)',
      hint: expect.stringContaining('campaign lists get 20261123-00ff --campaign demo'),
    });
  });
});
