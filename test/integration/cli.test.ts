/**
 * The `campaign` CLI as an operator runs it: the real binary (`node cli/campaign.ts`) in a child process, pointed
 * at the test stack's API with CAMPAIGN_API, judged by its exit codes, output and the files it writes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { api, cloud, setScenario, testCampaign, today } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'cli/campaign.ts');
const work = mkdtempSync(join(tmpdir(), 'campaign-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: work,
    env: { ...process.env, CAMPAIGN_API: cloud.endpoints.api, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to its end. */
function campaign(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const json = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown>;

/** A copy of the demo list: BOM, `;`, CRLF, five ways of writing a number, a duplicate, rejected rows. */
function demoList(name: string): string {
  const file = join(work, name);
  copyFileSync(join(ROOT, 'config/demo/list.csv'), file);
  return file;
}

function definitionFile(id: string, overrides: Record<string, unknown> = {}): string {
  const file = join(work, `${id}.yml`);
  writeFileSync(file, stringify(testCampaign(id, overrides)));
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const address = server.address();
  await new Promise((resolvePromise) => server.close(resolvePromise));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const date = today();

describe('campaigns', () => {
  it('stores a definition from YAML, shows it and lists it', async () => {
    const put = await campaign(['campaigns', 'put', definitionFile('cli-a')]);
    const got = await campaign(['campaigns', 'get', 'cli-a', '--json']);
    const yaml = await campaign(['campaigns', 'get', 'cli-a']);
    const listed = await campaign(['campaigns', 'list', '--json']);

    expect(put).toMatchObject({ code: 0, stdout: 'stored campaign cli-a: version 1\n' });
    expect(json(got)).toMatchObject({ id: 'cli-a', version: 1, callerId: '+48221234567' });
    expect(yaml.stdout).toMatch(/^# campaign cli-a, version 1, updated .+\nid: cli-a\n/);
    expect((json(listed).campaigns as Array<{ id: string }>).map((stored) => stored.id)).toContain('cli-a');
  });

  it("stores what `get` printed as a new version (the API's fields left out)", async () => {
    const file = join(work, 'cli-a-edited.yml');
    writeFileSync(file, (await campaign(['campaigns', 'get', 'cli-a'])).stdout.replace('Test campaign', 'Edited'));

    const put = await campaign(['campaigns', 'put', file, '--json']);

    expect(put.code).toBe(0);
    expect(json(put)).toMatchObject({ id: 'cli-a', version: 2, name: 'Edited cli-a' });
  });

  it('prints the problems of an invalid definition by path and exits 1', async () => {
    const put = await campaign(['campaigns', 'put', definitionFile('cli-bad', { callerId: '221234567', timeZone: 1 })]);

    expect(put.code).toBe(1);
    expect(put.stderr).toMatch(/^error: .*cli-bad\.yml: invalid body \(HTTP 400 BAD_REQUEST\)\n/);
    expect(put.stderr).toMatch(/\n {2}body\.callerId: .+\n/);
    expect(put.stderr).toMatch(/\n {2}body\.timeZone: .+\n/);
    expect(put.stderr).toMatch(/\nhint: fix the fields named above/);
    expect((await api('GET', '/campaigns/cli-bad/definition')).status).toBe(404);
  });
});

describe('upload', () => {
  beforeAll(async () => {
    for (const id of ['cli-small', 'cli-large', 'cli-xlsx']) {
      expect((await campaign(['campaigns', 'put', definitionFile(id)])).code).toBe(0);
    }
  });

  it('imports a small list as the request body and prints the summary with the first rejected rows', async () => {
    const upload = await campaign(['upload', demoList('small.csv'), '--campaign', 'cli-small', '--date', date]);

    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(
      new RegExp(`^list ${date.replaceAll('-', '')}-[0-9a-f]{16} for cli-small on ${date}: DONE\n`),
    );
    expect(upload.stdout).toMatch(/rows +64\n/);
    expect(upload.stdout).toMatch(/accepted +60\n/);
    expect(upload.stdout).toMatch(/rejected +3 +4\.7 %\n/);
    expect(upload.stdout).toContain('first rejected rows (3 of 3):');
    expect(upload.stdout).toMatch(/22 {2}phone .*EMPTY: no phone number/);
    expect(upload.stdout).toMatch(/campaign lists rejected \S+ --campaign cli-small --out rejected\.csv/);
  });

  it('exits 3 when more rows are rejected than --max-reject-rate, saving the rejected rows', async () => {
    const rejected = join(work, 'rejected.csv');

    const upload = await campaign([
      'upload',
      demoList('again.csv'),
      '--campaign',
      'cli-small',
      '--date',
      date,
      '--max-reject-rate',
      '1',
      '--rejected-out',
      rejected,
      '--json',
    ]);

    expect(upload.code).toBe(3);
    expect(json(upload)).toMatchObject({
      status: 'DONE',
      rows: 64,
      accepted: 0,
      rejected: 3,
      duplicates: 61,
      rejectThresholdExceeded: true,
      maxRejectRate: 0.01,
    });
    expect(upload.stderr).toContain('error: 3 of 64 rows rejected (4.7 %), more than --max-reject-rate 1 %');
    const lines = readFileSync(rejected, 'utf8').split(/\r?\n/).filter(Boolean);
    expect(lines[0]).toBe('\uFEFFname;phone;external_id;clinic;reason');
    expect(lines).toHaveLength(4);
  });

  it('takes the large path (upload URL, PUT, import followed) above --small-limit', async () => {
    const upload = await campaign([
      'upload',
      demoList('large.csv'),
      '--campaign',
      'cli-large',
      '--date',
      date,
      '--small-limit',
      '1k',
      '--json',
    ]);

    expect(upload.code).toBe(0);
    expect(json(upload)).toMatchObject({ status: 'DONE', rows: 64, accepted: 60, rejected: 3, duplicates: 1 });
    const lists = await api('GET', `/campaigns/cli-large/lists?date=${date}`);
    expect((lists.body as { lists: Array<{ source: string }> }).lists).toEqual([
      expect.objectContaining({ source: 'upload-url' }),
    ]);
  });

  it('imports .xlsx workbooks by either path', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('List');
    sheet.addRow(['Phone', 'Name']);
    sheet.addRow(['+48 669 310 001', 'Jan']);
    sheet.addRow([48669310002, 'A number cell']);
    sheet.addRow(['669 310', 'Too short']);
    const file = join(work, 'list.xlsx');
    writeFileSync(file, Buffer.from(await workbook.xlsx.writeBuffer()));

    const small = await campaign([
      'upload',
      file,
      '--campaign',
      'cli-xlsx',
      '--date',
      date,
      '--json',
      '--max-reject-rate',
      '50',
    ]);
    const large = await campaign(['upload', file, '--campaign', 'cli-xlsx', '--date', date, '--json', '--large']);

    expect(small.code).toBe(0);
    expect(json(small)).toMatchObject({
      status: 'DONE',
      format: 'xlsx',
      source: 'body',
      rows: 3,
      accepted: 2,
      rejected: 1,
    });
    expect(large.code).toBe(3);
    expect(json(large)).toMatchObject({ status: 'DONE', format: 'xlsx', source: 'upload-url', rows: 3, duplicates: 2 });
  });

  it("names the API's refusal of a whole file", async () => {
    const file = join(work, 'no-phone.csv');
    writeFileSync(file, 'name,city\nJan,Warszawa\n');

    const upload = await campaign(['upload', file, '--campaign', 'cli-small', '--date', date]);

    expect(upload.code).toBe(1);
    expect(upload.stderr).toMatch(/^error: .+ \(HTTP 400 NO_PHONE_COLUMN\)\n/);
  });
});

describe('runs, status and report', () => {
  const CAMPAIGN = 'cli-run';
  const run = (...args: string[]) => campaign([...args, '--campaign', CAMPAIGN, '--date', date]);

  beforeAll(async () => {
    // The first number does not answer its first call and is retried 15 s later, so the run cannot
    // finish between `pause` and `resume`, however fast the other calls end.
    await setScenario({
      seed: 7,
      timeScale: 0.02,
      numbers: { '+48669320001': { sequence: [{ outcome: 'NO_ANSWER' }, { outcome: 'ANSWERED' }] } },
    });
    const retryLater = {
      retryPolicy: {
        maxAttempts: 3,
        maxAttemptsPerDay: 3,
        retryDelays: { NO_ANSWER: 'PT15S', BUSY: 'PT1S', FAILED: 'PT1S' },
      },
    };
    const lists = {
      [CAMPAIGN]: ['+48 669 320 001', '+48 669 320 002', '+48 669 320 003'],
      'cli-stop': Array.from({ length: 30 }, (_, index) => `+48 669 340 ${String(index).padStart(3, '0')}`),
    };
    for (const [id, phones] of Object.entries(lists)) {
      const definition = definitionFile(id, id === CAMPAIGN ? retryLater : {});
      expect((await campaign(['campaigns', 'put', definition])).code).toBe(0);
      const file = join(work, `${id}.csv`);
      writeFileSync(file, `phone\n${phones.join('\n')}\n`);
      expect((await campaign(['upload', file, '--campaign', id, '--date', date])).code).toBe(0);
    }
  });

  it('starts, pauses and resumes a run; status --json shows it', async () => {
    const started = await run('runs', 'start');
    const again = await run('runs', 'start');
    const paused = await run('runs', 'pause');
    const status = await run('status', '--json');
    const resumed = await run('runs', 'resume', '--json');

    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`started the run of ${CAMPAIGN} for ${date}`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: the run of cli-run for .+ is already RUNNING \(HTTP 409 CONFLICT\)\nhint: /);
    expect(paused.stdout).toBe(`run of ${CAMPAIGN} for ${date}: PAUSED\n`);
    expect(json(status)).toMatchObject({
      campaignId: CAMPAIGN,
      date,
      status: 'PAUSED',
      caps: cloud.caps,
      contacts: expect.any(Object),
      callsInFlight: expect.any(Number),
    });
    expect(json(resumed)).toEqual({ campaignId: CAMPAIGN, date, status: 'RUNNING' });
  });

  it('watches the run until it ends, one line per refresh when not on a terminal', async () => {
    const watched = await run('status', '--watch', '--interval', '1');

    expect(watched.code).toBe(0);
    const lines = watched.stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(new RegExp(`^\\S+Z ${CAMPAIGN} ${date} [A-Z]+ · \\d+/3 done`));
    expect(lines.at(-1)).toMatch(/ FINISHED · 3\/3 done \(100 %\)/);
  }, 90_000);

  it('stops a run', async () => {
    expect((await campaign(['runs', 'start', '--campaign', 'cli-stop', '--date', date])).code).toBe(0);

    const stopped = await campaign(['runs', 'stop', '--campaign', 'cli-stop', '--date', date]);

    expect(stopped).toMatchObject({ code: 0, stdout: `run of cli-stop for ${date}: STOPPING\n` });
  });

  it('downloads the per-contact report as CSV and as XLSX, and prints the summary', async () => {
    const csv = await run('report', '--out', 'report.csv');
    // --wait 0: the API answers "still running" (202) at once, as for a large run; the CLI follows it to the file.
    const xlsx = await run('report', '--format', 'xlsx', '--json', '--wait', '0');
    const summary = await run('report', 'summary', '--json');

    expect(csv).toMatchObject({ code: 0, stdout: expect.stringMatching(/^saved 3 contacts to report\.csv \(/) });
    const header = readFileSync(join(work, 'report.csv'), 'utf8').split('\r\n')[0];
    expect(header).toMatch(/^\uFEFFphone,external_id,name,status,attempts,attempt_log,answer_q1,/);
    expect(json(xlsx)).toMatchObject({ file: `${CAMPAIGN}-${date}-contacts.xlsx`, rows: 3, format: 'xlsx' });
    expect(
      readFileSync(join(work, `${CAMPAIGN}-${date}-contacts.xlsx`))
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(json(summary)).toMatchObject({ campaignId: CAMPAIGN, date, status: 'FINISHED', contacts: { total: 3 } });
  });
});

describe('do-not-call list', () => {
  it('adds the numbers of a CSV', async () => {
    const file = join(work, 'dnc.csv');
    writeFileSync(file, 'phone\n+48 669 330 001\n669 330 002\n12\n');

    const added = await campaign(['dnc', 'add', file, '--country', 'PL', '--json']);

    expect(added.code).toBe(0);
    expect(json(added)).toMatchObject({ rows: 3, added: 2, rejected: 1 });
  });
});

describe('errors', () => {
  it('says the API cannot be reached, with a hint, and exits 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;

    const run = await campaign(['campaigns', 'list'], { CAMPAIGN_API: closed });

    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `error: cannot reach ${closed} (connection refused)\n` +
        'hint: start the local stack with `npm start`, or pass --api <url> (or set CAMPAIGN_API)\n',
    });
  });

  it('exits 2 on wrong usage', async () => {
    const run = await campaign(['upload', '--campaign', 'cli-small']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: upload takes one file\nhint: run `campaign help upload`\n');
  });
});

describe('dashboard proxy', () => {
  it('forwards requests to the API until Ctrl-C', async () => {
    const port = await freePort();
    const proxy = start(['dashboard', '--port', String(port)]);
    const ready = await new Promise<string>((resolvePromise, reject) => {
      proxy.stdout?.once('data', (chunk: Buffer) => resolvePromise(chunk.toString('utf8')));
      proxy.once('close', (code) => reject(new Error(`the proxy ended with ${code}`)));
    });

    // What the browser sends for the page's own requests.
    const sameOrigin = { 'sec-fetch-site': 'same-origin' };
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const health = await fetch(`http://127.0.0.1:${port}/health`, { headers: sameOrigin });
    const campaigns = await fetch(`http://127.0.0.1:${port}/campaigns`, { headers: sameOrigin });
    const crossSite = await fetch(`http://127.0.0.1:${port}/campaigns`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    const foreign = await fetch(`http://127.0.0.1:${port}/campaigns/cli-run/runs/${date}/pause`, {
      method: 'POST',
      headers: { origin: 'https://elsewhere.example' },
    });
    // The bodies are read before Ctrl-C: fetch answers at the headers, and a body still on its way when the proxy
    // stops ends in "other side closed".
    const [pageText, healthBody, campaignsBody] = await Promise.all([page.text(), health.json(), campaigns.json()]);
    await Promise.all([crossSite.arrayBuffer(), foreign.arrayBuffer()]);
    const ended = new Promise((resolvePromise) => proxy.once('close', resolvePromise));
    proxy.kill('SIGINT');

    expect(ready).toContain(`dashboard on http://127.0.0.1:${port}/ → ${cloud.endpoints.api}`);
    expect(pageText).toContain('<title>Campaign engine</title>');
    expect(crossSite.status).toBe(403);
    expect(health.status).toBe(200);
    expect(healthBody).toMatchObject({ status: 'ok' });
    expect(campaignsBody).toMatchObject({
      campaigns: expect.arrayContaining([expect.objectContaining({ id: 'cli-a' })]),
    });
    expect(foreign.status).toBe(403);
    expect(await ended).toBe(0);
  });
});
