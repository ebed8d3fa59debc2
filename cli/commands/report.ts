/**
 * `campaign report`: downloads the per-contact export (GET /campaigns/{id}/reports/{date}/contacts.csv|.xlsx, which
 * has the file written to the reports bucket and answers with a presigned link, or for a large run 202 with a
 * status URL to follow), or with `summary` prints the live summary from counters (GET /campaigns/{id}/reports/{date}).
 */
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDollars } from '../../functions/core/report/run-cost.ts';
import { type ApiClient, apiPath, fetchPresigned } from '../api-client.ts';
import { type ExportJob, ExportJobSchema, type RunReport, RunReportSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, integerOption, requiredOption, stringOption } from '../command-line.ts';
import { CliError, helpHint, UsageError } from '../errors.ts';
import { writeDownload } from '../files.ts';
import { formatBytes, formatCount, formatCounts, formatDuration, formatFields, formatPercent } from '../format.ts';
import { createProgress } from '../progress.ts';
import { retryProblem } from './status.ts';

/** The summary as text: contacts, outcomes, rates, what the run cost, answers per question. */
export function renderReport(report: RunReport): string {
  const { contacts } = report;
  const lines = [
    `${report.campaignId} · ${report.date} · ${report.status}`,
    formatFields([
      [
        'contacts',
        `${formatCount(contacts.total)} (${formatCount(contacts.finished)} done, ${formatCount(contacts.waiting)} waiting)`,
      ],
      ['by status', formatCounts(contacts.byStatus)],
      ['outcomes', formatCounts(report.outcomes)],
      [
        'attempts',
        `${formatCount(report.attempts.started)} started, ${report.attempts.meanPerFinishedContact.toFixed(2)} per finished contact`,
      ],
      ['reach rate', formatPercent(report.reachRate)],
      ['completion', formatPercent(report.completionRate)],
      ['mean call', formatDuration(report.meanCallSeconds)],
      ['opt-outs', formatCount(report.optOuts)],
      ['follow-ups', `${formatCount(report.followUps.sent)} sent, ${formatCount(report.followUps.failed)} failed`],
    ]),
  ];
  if (report.cost !== undefined) {
    const { cost } = report;
    lines.push(
      '',
      `cost (${cost.rates})`,
      formatFields([
        [
          'engine',
          `${formatDollars(cost.engine.total)}: ${cost.engine.byService.map((entry) => `${entry.service} ${formatDollars(entry.usd)}`).join(', ')}`,
        ],
        [
          'calls and SMS',
          `${formatDollars(cost.telephony.total)}: ${cost.telephony.lines.map((line) => `${line.service} ${formatCount(line.quantity)} ${line.unit} ${formatDollars(line.usd)}`).join(', ')}`,
        ],
      ]),
    );
  }
  for (const question of report.questions) {
    lines.push('', `${question.id}: ${question.prompt} (${formatCount(question.answered)} answered)`);
    for (const answer of question.answers) {
      lines.push(
        `  ${answer.key}  ${answer.label.padEnd(20)} ${formatCount(answer.count).padStart(7)}  ${formatPercent(answer.share)}`,
      );
    }
  }
  return lines.join('\n');
}

/** The export format: `--format`, else the extension of `--out`, else CSV. */
export function exportFormat(formatOption: string | undefined, out: string | undefined): 'csv' | 'xlsx' {
  if (formatOption !== undefined) {
    if (formatOption === 'csv' || formatOption === 'xlsx') return formatOption;
    throw new UsageError(`--format ${formatOption} is not an export format`, 'use --format csv or --format xlsx');
  }
  return out !== undefined && extname(out).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv';
}

/** `--wait`: how long the API holds the request before answering "still running" (0–25 s). */
export function waitOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 25) {
    throw new UsageError(`--wait ${value} is not a number of seconds from 0 to 25`);
  }
  return seconds;
}

/** Failed status requests in a row a follow rides out (network failures, 5xx, 429) before giving up. */
const MAX_FAILED_POLLS = 10;

/**
 * Follows an export the API is still writing (a 202) until it is DONE: its status URL every 1 s, then up to every
 * 3 s, reporting the rows written so far. A failed request (no answer, 5xx, 429) is tried again, up to 10 in a row.
 * @throws CliError when it failed, or is still running after `timeoutMs` (naming how to pick it up again).
 */
export async function followExport(
  client: Pick<ApiClient, 'json'>,
  first: ExportJob,
  statusPath: string,
  onProgress: (rows: number) => void,
  timeoutMs: number,
  resumeHint: string,
  wait: (ms: number) => Promise<unknown> = sleep,
  clock: () => number = Date.now,
): Promise<Extract<ExportJob, { status: 'DONE' }>> {
  const deadline = clock() + timeoutMs;
  let job = first;
  let pause = 1_000;
  let failedPolls = 0;
  while (job.status === 'RUNNING') {
    onProgress(job.rows);
    if (clock() + pause > deadline) {
      throw new CliError(`export ${first.exportId} is still running after ${Math.round(timeoutMs / 1000)} s`, {
        hint: `it continues on the server: ${resumeHint}, or raise --timeout`,
      });
    }
    await wait(pause);
    pause = Math.min(pause + 1_000, 3_000);
    try {
      job = await client.json(ExportJobSchema, { path: statusPath });
      failedPolls = 0;
    } catch (error) {
      failedPolls += 1;
      if (retryProblem(error) === undefined || failedPolls >= MAX_FAILED_POLLS) throw error;
    }
  }
  if (job.status === 'FAILED') {
    throw new CliError(`export ${job.exportId} failed: ${job.error ?? 'no reason given'}`, {
      hint: "run the command again; if it keeps failing, check the export worker's logs",
    });
  }
  return job;
}

export const reportCommand: CommandSpec = {
  name: 'report',
  summary: 'download the per-contact report (CSV or XLSX), or print the live summary',
  usage: [
    'report --campaign <id> [--date YYYY-MM-DD] [--format csv|xlsx] [--out <file>] [--answer q1:2]',
    'report summary --campaign <id> [--date YYYY-MM-DD]',
  ],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run date (default today)' },
    format: { type: 'string', value: 'csv|xlsx', description: 'the file format (default: from --out, else csv)' },
    out: {
      type: 'string',
      value: 'file',
      description: 'where to save it (default <campaign>-<date>-contacts.<format>)',
    },
    answer: {
      type: 'string',
      value: 'question:key',
      description: 'only contacts who gave these answers, e.g. q1:2 or q1:2,q2:1',
    },
    timeout: {
      type: 'string',
      value: 'seconds',
      description: 'give up following a large export after this long (default 1800)',
    },
    export: {
      type: 'string',
      value: 'exportId',
      description: 'pick up an export asked for earlier (its id is printed when following it stops)',
    },
    wait: {
      type: 'string',
      value: 'seconds',
      description: 'how long the API holds the request before answering "still running" (0-25, default 20)',
    },
  },
  details: [
    'The export has one row per contact: phone, name, extra columns, status, attempts, attempt log, answers,',
    'opt-out and follow-ups. CSV is UTF-8 with BOM (Excel opens it as is). A large run takes a while to export:',
    'the rows written so far are shown until the file is ready.',
  ],
  async run({ args, values, json, api, out, now }) {
    const [subcommand, ...rest] = args;
    if ((subcommand !== undefined && subcommand !== 'summary') || rest.length > 0) {
      throw new UsageError(`unknown report subcommand "${subcommand}"`, helpHint('report'));
    }
    const campaignId = requiredOption(values, 'campaign', 'report', 'id');
    const date = dateOption(values, now());
    const client = await api();
    if (subcommand === 'summary') {
      const report = await client.json(RunReportSchema, { path: apiPath`/campaigns/${campaignId}/reports/${date}` });
      if (json) return void out.printJson(report);
      out.print(renderReport(report));
      return undefined;
    }
    const outOption = stringOption(values, 'out');
    const requested = exportFormat(stringOption(values, 'format'), outOption);
    const progress = createProgress(out.stderr);
    try {
      const timeoutMs = integerOption(values, 'timeout', 1_800) * 1_000;
      const wait = waitOption(stringOption(values, 'wait'));
      const exportId = stringOption(values, 'export');
      const answer = { answer: stringOption(values, 'answer') };
      progress.update({ label: 'writing the report', done: 0, unit: 'rows' });
      const first =
        exportId === undefined
          ? await client.json(ExportJobSchema, {
              path: apiPath`/campaigns/${campaignId}/reports/${date}/contacts.${requested}`,
              query: { ...answer, wait: wait === undefined ? undefined : String(wait) },
            })
          : await client.json(ExportJobSchema, {
              path: apiPath`/campaigns/${campaignId}/reports/${date}/exports/${exportId}`,
            });
      // An export picked up again is in the format it was asked in.
      const format = first.format === 'xlsx' || first.format === 'csv' ? first.format : requested;
      const file = outOption ?? `${campaignId}-${date}-contacts.${format}`;
      const link = await followExport(
        client,
        first,
        apiPath`/campaigns/${campaignId}/reports/${date}/exports/${first.exportId}`,
        (rows) => progress.update({ label: 'writing the report', done: rows, unit: 'rows' }),
        timeoutMs,
        `pick it up with \`campaign report --campaign ${campaignId} --date ${date} --export ${first.exportId}\``,
      );
      const response = await fetchPresigned(link.url);
      if (response.body === null) throw new UsageError('the report download is empty');
      const bytes = await writeDownload(response.body, file, (written) =>
        progress.update({ label: 'downloading', done: written, total: link.bytes, unit: 'bytes' }),
      );
      progress.stop();
      if (json) return void out.printJson({ campaignId, date, format, file, rows: link.rows, bytes });
      out.print(`saved ${formatCount(link.rows)} contacts to ${file} (${formatBytes(bytes)})`);
      return undefined;
    } finally {
      progress.stop();
    }
  },
};
