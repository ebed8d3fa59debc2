/**
 * The web dashboard in a real browser against the local stack: a newcomer's path from an empty run to the
 * downloaded report. Screenshots go to test-results/dashboard/ (CI artifacts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { launchBrowser } from './browser.ts';
import { api, cloud, setScenario, testCampaign, today, waitFor } from './support.ts';

const CAMPAIGN = 'dashboard-ui';
const SHOTS = join(import.meta.dirname, '../../test-results/dashboard');
const phone = (index: number) => `+48 61 ${String(3_000_000 + index).padStart(7, '0')}`;

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function screenshot(name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const runStatus = () => page.getByTestId('run-status').textContent();
const waitForStatus = (status: string, timeoutMs = 30_000) =>
  waitFor(`run status ${status}`, async () => ((await runStatus()) === status ? true : undefined), timeoutMs);
const contactsDone = async () =>
  Number((await page.getByTestId('progress-text').textContent())?.match(/^(\d+) of/)?.[1]);

async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('list');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await setScenario({ seed: 11, timeScale: 0.05 });
  expect((await api('PUT', `/campaigns/${CAMPAIGN}`, testCampaign(CAMPAIGN))).status).toBe(200);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
});

describe('dashboard', () => {
  it('takes a list by drag and drop, runs it live with pause and resume, and downloads the report', async () => {
    await page.goto(`${cloud.endpoints.api}/#/${CAMPAIGN}/${today()}`);
    await page.getByRole('link', { name: /Test campaign dashboard-ui/ }).waitFor();
    await waitForStatus('NO RUN');

    // Drag and drop a CSV: the small path, answered with the summary and the rejected rows.
    const csv = [
      'name;phone',
      ...Array.from({ length: 30 }, (_, n) => `Person ${n};${phone(n)}`),
      'Nobody;12345',
      'Empty;',
    ];
    const dropped = await page.evaluateHandle(
      (text) => {
        // In the page: the browser's DataTransfer (this project's TypeScript has no DOM types).
        const { DataTransfer } = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: File): void } };
        };
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], 'today.csv', { type: 'text/csv' }));
        return transfer;
      },
      `${csv.join('\r\n')}\r\n`,
    );
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await page.getByText('30 accepted').first().waitFor();
    await page
      .getByRole('cell', { name: /short code/ })
      .first()
      .waitFor();

    // A workbook chosen with the file picker: the presigned path to storage, then the import is followed.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file…' }).click();
    await (await chooser).setFiles({
      name: 'more.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await workbook([
        ['phone', 'name'],
        ...Array.from({ length: 3 }, (_, n) => [phone(100 + n), `Extra ${n}`]),
      ]),
    });
    await page.getByText('3 accepted').first().waitFor();

    await page.getByRole('button', { name: 'Start' }).click();
    await waitForStatus('RUNNING');
    await waitFor('progress', async () => ((await contactsDone()) > 0 ? true : undefined));
    await screenshot('running');

    // Pause from the keyboard, then resume.
    await page.getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    await waitForStatus('PAUSED');
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForStatus('RUNNING');

    await waitForStatus('FINISHED', 90_000);
    expect(await contactsDone()).toBe(33);
    expect(await page.getByRole('heading', { name: /^q1:/ }).count()).toBe(1);
    await screenshot('finished');

    const status = (await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}`)).body as {
      contacts: Record<string, number>;
    };
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const lines = readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(/^phone,/);
    expect(lines).toHaveLength(1 + Object.values(status.contacts).reduce((sum, n) => sum + n, 0));

    // Opened again after the run, the charts start with the run's own history, not at the moment the page opened.
    const reloadedAt = new Date().toISOString();
    await page.reload();
    const inFlight = page.getByRole('figure', { name: 'Calls in flight' });
    await expect
      .poll(async () => String(await inFlight.getAttribute('data-from')) < reloadedAt, { timeout: 10_000 })
      .toBe(true);

    // A large export answers 202 (forced here with wait=0): the page follows its status URL, then downloads it.
    const followed: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/exports/')) followed.push(request.url());
    });
    await page.route('**/contacts.xlsx*', (route) => route.continue({ url: `${route.request().url()}?wait=0` }));
    const excel = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Excel' }).click();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await (await excel).path());
    expect(book.getWorksheet('contacts')?.rowCount).toBe(lines.length);
    expect(followed.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByText(/contacts exported/).count()).toBe(1);
    await page.unroute('**/contacts.xlsx*');
    expect(pageErrors).toEqual([]);
  });

  it("keeps a refused action's reason on screen across refreshes", async () => {
    await page.route('**/campaigns/*/runs', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'CONFLICT', message: 'the run is already RUNNING', problems: [] } }),
      }),
    );
    // Screen readers hear the connection state when it changes, not at every refresh.
    // In the page (this project's TypeScript has no DOM types, so the script is text).
    await page.evaluate(`{
      const seen = { changes: 0 };
      globalThis.connectionAnnouncements = seen;
      new MutationObserver((records) => { seen.changes += records.length; }).observe(
        document.getElementById('connection-state'),
        { childList: true, characterData: true, subtree: true },
      );
    }`);
    await page.getByRole('button', { name: 'Start again' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Could not start the run: the run is already RUNNING' });
    await refused.waitFor();
    await page.waitForTimeout(4_000); // one refresh later
    expect(await refused.count()).toBe(1);
    expect(await page.locator('#connection-state').textContent()).toBe('Live');
    expect(await page.locator('#connection-detail').textContent()).toMatch(/updated/);
    expect(await page.evaluate('globalThis.connectionAnnouncements.changes')).toBe(0);
    await page.unroute('**/campaigns/*/runs');
  });

  it('shows plainly that the API is down, and recovers when it answers again', async () => {
    await page.route('**/campaigns/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('alert').filter({ hasText: 'The API is not answering' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#connection').textContent()).toContain('API unreachable');
    await screenshot('api-down');
    await page.unroute('**/campaigns/**');
    await waitFor('live again', async () =>
      (await page.locator('#connection').textContent())?.startsWith('Live') ? true : undefined,
    );
    expect(await page.getByRole('alert').filter({ hasText: 'not answering' }).count()).toBe(0);
  });
});

/** What a chart shows as text: its legend's cells, its time axis' labels and where its data ends. */
const ChartTextSchema = z.object({
  timeZone: z.string(),
  to: z.iso.datetime(),
  from: z.iso.datetime(),
  axis: z.string().min(1),
  legend: z.array(z.string()).min(2),
});

/** The dashboard of the finished run in a browser context of its own (a locale, a time zone), and its page errors. */
async function openDashboard(options: BrowserContextOptions) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const localPage = await context.newPage();
  const errors: string[] = [];
  localPage.on('pageerror', (error) => errors.push(error.message));
  await localPage.goto(`${cloud.endpoints.api}/#/${CAMPAIGN}/${today()}`);
  await localPage.getByRole('link', { name: /Test campaign dashboard-ui/ }).waitFor({ timeout: 15_000 });
  await expect.poll(() => localPage.getByTestId('run-status').textContent(), { timeout: 15_000 }).toBe('FINISHED');
  await expect.poll(() => localPage.locator('#connection-state').textContent(), { timeout: 15_000 }).toBe('Live');
  // In the page (this project's TypeScript has no DOM types, so the script is text): one read, so a refresh
  // between the legend and the axis cannot mix two states.
  const chartText = async () =>
    ChartTextSchema.parse(
      await localPage.evaluate(`(() => {
        const figure = document.querySelector('figure[aria-label="Calls in flight"]');
        return {
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          to: figure.dataset.to,
          from: figure.dataset.from,
          axis: figure.dataset.timeAxis,
          legend: [...figure.querySelectorAll('.u-legend .u-value')].map((cell) => cell.textContent),
        };
      })()`),
    );
  // The run's history has come in: more than one point.
  await expect
    .poll(() =>
      chartText().then(
        (chart) => chart.from < chart.to,
        () => false,
      ),
    )
    .toBe(true);
  return { context, page: localPage, errors, chartText };
}

describe('dashboard in any locale', () => {
  it("survives the npm Chromium's own locale, en-US@posix, which Intl refuses", async () => {
    const opened = await openDashboard({ locale: 'en-US@posix' });
    try {
      expect(await opened.page.evaluate('navigator.languages[0]')).toBe('en-US@posix');
      const chart = await opened.chartText();
      await opened.page.screenshot({ path: join(SHOTS, 'en-US-posix.png'), fullPage: true });
      const at = new Date(chart.to);

      // The latest point, in en-US (what is left of en-US@posix) and the browser's time zone; never uPlot's "--".
      expect(chart.legend[0]).toBe(
        new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: chart.timeZone }).format(
          at,
        ),
      );
      for (const cell of chart.legend.slice(1)) expect(cell).toMatch(/^(\d+(\.\d+)?|–)$/);
      expect(chart.axis).toMatch(/\d{1,2}:\d{2}(:\d{2})?\s?[AP]M/);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.context.close();
    }
  });

  it("writes the charts' axes and legends in pl-PL and the browser's time zone", async () => {
    const timeZone = 'Europe/Warsaw';
    const opened = await openDashboard({ locale: 'pl-PL', timezoneId: timeZone });
    try {
      const chart = await opened.chartText();
      const polish = (options: Intl.DateTimeFormatOptions, iso: string) =>
        new Intl.DateTimeFormat('pl-PL', { ...options, timeZone }).format(new Date(iso));
      await opened.page.screenshot({ path: join(SHOTS, 'pl-PL.png'), fullPage: true });

      expect(chart.timeZone).toBe(timeZone);
      expect(chart.legend[0]).toBe(polish({ dateStyle: 'medium', timeStyle: 'medium' }, chart.to));
      for (const cell of chart.legend.slice(1)) expect(cell).toMatch(/^(\d+(,\d+)?|–)$/);
      // 24-hour times, and the date under the first tick of the day, in Polish ("4 gru"), not US-style "12/4/26 3:12pm".
      expect(chart.axis).toMatch(/^\d{1,2}:\d{2}(:\d{2})? /);
      expect(chart.axis).not.toMatch(/[AP]M|[ap]m|\d+\/\d+\/\d+/);
      const days = [
        polish({ day: 'numeric', month: 'short' }, chart.from),
        polish({ day: 'numeric', month: 'short' }, chart.to),
      ];
      expect(days.some((day) => chart.axis.includes(day))).toBe(true);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.context.close();
    }
  });
});
