/**
 * `campaign status`: the live status of a run (GET /campaigns/{id}/runs/{date}), once or with `--watch`:
 * - on a terminal the screen is redrawn every `--interval` seconds;
 * - piped or redirected, one summary line (with `--json` one JSON document) is appended per refresh, for logs;
 * until the run is FINISHED or FAILED, or Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiClient, apiPath } from '../api-client.ts';
import { type RunStatus, RunStatusSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, integerOption, requiredOption } from '../command-line.ts';
import { ApiError, EXIT, NetworkError } from '../errors.ts';
import {
  formatBar,
  formatCount,
  formatCounts,
  formatFields,
  formatPercent,
  formatRelative,
  formatTime,
} from '../format.ts';

const WAITING = ['PENDING', 'DIALING'];
const ENDED = ['FINISHED', 'FAILED'];

/** Contacts in the run, and those no longer waiting for a call. */
export function runProgress(status: RunStatus): { total: number; finished: number; waiting: number } {
  const entries = Object.entries(status.contacts);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const waiting = entries.filter(([name]) => WAITING.includes(name)).reduce((sum, [, count]) => sum + count, 0);
  return { total, finished: total - waiting, waiting };
}

/** The status as a block of labelled lines. */
export function renderStatus(status: RunStatus, now: Date, width = 80): string {
  const { total, finished, waiting } = runProgress(status);
  const share = total === 0 ? 0 : finished / total;
  const { caps } = status;
  const fields: Array<[string, string]> = [
    [
      'progress',
      total === 0
        ? 'no contacts: upload a list'
        : `${formatBar(share, Math.max(10, Math.min(30, width - 60)))}  ${formatPercent(share, 0)}  ${formatCount(finished)} of ${formatCount(total)} contacts done, ${formatCount(waiting)} waiting`,
    ],
    [
      'calls',
      `${formatCount(status.callsInFlight)} in flight for this run · ${formatCount(status.engineCallsInFlight)} of ${formatCount(caps.maxConcurrentCalls)} lines in use engine-wide`,
    ],
    [
      'dial rate',
      `${status.dialRate === undefined ? '–' : `${status.dialRate.toFixed(1)}/s`} (cap ${caps.dialsPerSecond}/s, burst ${caps.dialBurst}) · throttles ${status.throttles ?? 0} · dial errors ${status.dialErrors ?? 0}`,
    ],
    ['contacts', formatCounts(status.contacts)],
    ['outcomes', formatCounts(status.outcomes)],
    ['estimate', estimateText(status, now)],
    [
      'next due',
      status.nextDueAt === undefined
        ? 'nothing waiting'
        : `${formatTime(status.nextDueAt, now)} (${formatRelative(status.nextDueAt, now)})`,
    ],
  ];
  const times = [
    status.startedAt && `started ${formatTime(status.startedAt, now)}`,
    status.lastTickAt && `last tick ${formatRelative(status.lastTickAt, now)}`,
    status.finishedAt && `finished ${formatTime(status.finishedAt, now)}`,
  ].filter(Boolean);
  if (times.length > 0) fields.push(['times', times.join(' · ')]);
  const version = status.campaignVersion === undefined ? '' : ` (campaign version ${status.campaignVersion})`;
  return `${status.campaignId} · ${status.date} · ${status.status}${version}\n${formatFields(fields)}`;
}

/** The estimated finish, and when the run is late, who will wait at the window's close and what to raise. */
export function estimateText(status: RunStatus, now: Date): string {
  const estimate = status.estimate;
  if (estimate === undefined) return status.status === 'RUNNING' ? 'not estimated yet' : '–';
  const finish = `finish ${formatTime(estimate.finishAt, now)} (${formatRelative(estimate.finishAt, now)}) · ${formatCount(estimate.remaining)} contacts left`;
  if (!estimate.late) return `${finish} · within the window`;
  const raise = [
    estimate.raise?.lines !== undefined && `lines to ${formatCount(estimate.raise.lines)}`,
    estimate.raise?.dialsPerSecond !== undefined && `the rate to ${estimate.raise.dialsPerSecond}/s`,
  ].filter((part): part is string => typeof part === 'string');
  return (
    `${finish} · LATE: ${formatCount(estimate.waitingAtWindowClose)} will still be waiting at ` +
    `${formatTime(estimate.windowClosesAt, now)}; ${raise.length > 0 ? `raise ${raise.join(' and ')} or ` : ''}extend the window`
  );
}

/** One line per refresh, for logs. */
export function statusLine(status: RunStatus, now: Date): string {
  const { total, finished } = runProgress(status);
  const share = total === 0 ? '' : ` (${formatPercent(finished / total, 0)})`;
  const next = status.nextDueAt === undefined ? '' : ` · next due ${formatRelative(status.nextDueAt, now)}`;
  const estimate =
    status.estimate === undefined
      ? ''
      : ` · finish ${formatRelative(status.estimate.finishAt, now)}${status.estimate.late ? ' (LATE)' : ''}`;
  return (
    `${now.toISOString()} ${status.campaignId} ${status.date} ${status.status} · ${formatCount(finished)}/${formatCount(total)} done${share}` +
    ` · ${status.callsInFlight} in flight · ${status.engineCallsInFlight}/${status.caps.maxConcurrentCalls} lines${next}${estimate}`
  );
}

async function fetchStatus(client: ApiClient, campaignId: string, date: string): Promise<RunStatus> {
  return client
    .json(RunStatusSchema, { path: apiPath`/campaigns/${campaignId}/runs/${date}` })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) {
        throw new ApiError(404, error.message, {
          code: error.code,
          hint: `start it with \`campaign runs start --campaign ${campaignId} --date ${date}\``,
        });
      }
      throw error;
    });
}

/**
 * What a watch does with a failed refresh once it has shown a status: the network failing or the API answering
 * 5xx or 429 (a deployment, a throttle) is retried, with the problem on screen; any other error answer (403, 404)
 * ends the watch. Undefined: end it.
 */
export function retryProblem(error: unknown): string | undefined {
  if (error instanceof ApiError) {
    return error.status >= 500 || error.status === 429
      ? `the API answered ${error.status} (${error.message})`
      : undefined;
  }
  // An answer the CLI cannot read, or a bug, would fail the same way again.
  return error instanceof NetworkError ? error.message : undefined;
}

/** The pause before the next refresh: the interval, doubled after each failure in a row up to 30 s. */
export function retryDelay(intervalMs: number, failuresInARow: number): number {
  if (failuresInARow === 0) return intervalMs;
  return Math.max(intervalMs, Math.min(30_000, intervalMs * 2 ** failuresInARow));
}

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'live status of a run: progress, calls in flight against the cap, dial rate, outcomes, next due',
  usage: ['status --campaign <id> [--date YYYY-MM-DD] [--watch [--interval <seconds>]]'],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run date (default today)' },
    watch: { type: 'boolean', short: 'w', description: 'refresh until the run ends (or Ctrl-C)' },
    interval: { type: 'string', value: 'seconds', description: 'seconds between refreshes with --watch (default 5)' },
  },
  details: [
    'Without --watch the status is printed once. With --watch on a terminal the screen is redrawn every',
    '--interval seconds; piped or redirected, one line (with --json one JSON document) is appended per refresh.',
    'Watching ends when the run is FINISHED (exit 0) or FAILED (exit 1), or on Ctrl-C (exit 0).',
  ],
  async run({ values, json, api, out, now }) {
    const campaignId = requiredOption(values, 'campaign', 'status', 'id');
    const date = dateOption(values, now());
    const intervalMs = integerOption(values, 'interval', 5) * 1_000;
    const client = await api();
    if (values.watch !== true) {
      const status = await fetchStatus(client, campaignId, date);
      if (json) out.printJson(status);
      else out.print(renderStatus(status, now(), out.stdout.columns || 80));
      return undefined;
    }
    const live = out.stdout.isTTY === true && !json;
    const stop = new AbortController();
    const onInterrupt = () => stop.abort();
    process.once('SIGINT', onInterrupt);
    let status: RunStatus | undefined;
    let failures = 0;
    try {
      while (!stop.signal.aborted) {
        let problem: string | undefined;
        try {
          status = await fetchStatus(client, campaignId, date);
          failures = 0;
        } catch (error) {
          // A blip of the network or of the API should not end a watch that has shown the run; a refusal does.
          const retry = status === undefined ? undefined : retryProblem(error);
          if (retry === undefined) throw error;
          failures += 1;
          problem = `${retry}; retrying in ${Math.round(retryDelay(intervalMs, failures) / 1_000)} s`;
        }
        if (status !== undefined) {
          if (live) {
            const footer =
              problem ??
              (ENDED.includes(status.status)
                ? `the run is ${status.status}`
                : `refreshing every ${intervalMs / 1_000} s · Ctrl-C to quit`);
            out.print(`\x1b[H\x1b[2J${renderStatus(status, now(), out.stdout.columns || 80)}\n\n${footer}`);
          } else if (problem !== undefined) {
            out.note(problem);
          } else if (json) {
            out.printJson(status);
          } else {
            out.print(statusLine(status, now()));
          }
          if (problem === undefined && ENDED.includes(status.status)) break;
        }
        await sleep(retryDelay(intervalMs, failures), undefined, { signal: stop.signal }).catch(() => undefined);
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
    if (status?.status === 'FAILED') {
      out.note(
        'the run FAILED: see the alert on the alerts topic; `campaign runs start` with the same date resumes it',
      );
      return EXIT.failure;
    }
    return undefined;
  },
};
