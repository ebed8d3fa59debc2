/**
 * `campaign lists`: the lists uploaded for a run, one list's import summary, and its rejected rows
 * (GET /campaigns/{id}/lists[/{listId}[/rejected.csv]]). The summary rendering is shared with `upload`.
 */
import type { ApiClient } from '../api-client.ts';
import { apiErrorOf, apiPath, fetchPresigned } from '../api-client.ts';
import { ListsOfRunSchema, type ListView, ListViewSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, requiredOption, stringOption } from '../command-line.ts';
import { CliError, helpHint, UsageError } from '../errors.ts';
import { writeDownload } from '../files.ts';
import { formatCount, formatFields, formatPercent, formatTable, formatTime } from '../format.ts';

/** Rejected rows shown after an import (the API returns up to 100; rejected.csv has them all). */
const SHOWN_REJECTS = 10;

/** Rejected rows / rows (0 for an empty list). */
export const rejectRate = (list: ListView): number =>
  list.rows === undefined || list.rows === 0 ? 0 : (list.rejected ?? 0) / list.rows;

const rejectedCommand = (list: ListView) =>
  `campaign lists rejected ${list.listId} --campaign ${list.campaignId} --out rejected.csv`;

/** The import summary of a list: counts, the first rejected rows with their reasons, where to get them all. */
export function renderListSummary(list: ListView, now: Date, options: { rejectedSavedTo?: string } = {}): string {
  const head = `list ${list.listId} for ${list.campaignId} on ${list.date}: ${list.status}`;
  if (list.status === 'FAILED') return `${head}\n${list.error?.message ?? 'refused'}`;
  if (list.status !== 'DONE') {
    const progress = list.progress === undefined ? '' : ` (${formatCount(list.progress.rows)} rows read so far)`;
    return `${head}${progress}`;
  }
  const count = (value: number | undefined) => formatCount(value ?? 0).padStart(8);
  const fields: Array<[string, string]> = [
    ['rows', count(list.rows)],
    ['accepted', count(list.accepted)],
    ['rejected', `${count(list.rejected)}   ${formatPercent(rejectRate(list))}`],
    [
      'duplicates',
      `${count(list.duplicates)}   ${formatCount(list.duplicatesInFile ?? 0)} in the file, ${formatCount(list.alreadyInRun ?? 0)} already in the run`,
    ],
    ['suppressed', `${count(list.suppressed)}   on the do-not-call list`],
  ];
  if (list.firstDueAt !== undefined) fields.push(['first call', formatTime(list.firstDueAt, now).padStart(8)]);
  if ((list.dueAfterRunEnds ?? 0) > 0) {
    fields.push(['too late', `${count(list.dueAfterRunEnds)}   contacts first due after the run's day: not called`]);
  }
  const lines = [head, formatFields(fields.map(([label, value]) => [`  ${label}`, value] as const))];
  const errors = list.errors ?? [];
  if (errors.length > 0) {
    lines.push(
      '',
      `first rejected rows (${formatCount(Math.min(errors.length, SHOWN_REJECTS))} of ${formatCount(list.rejected ?? errors.length)}):`,
    );
    lines.push(
      formatTable(
        [{ title: '  LINE', align: 'right' }, { title: 'COLUMN' }, { title: 'VALUE' }, { title: 'REASON' }],
        errors
          .slice(0, SHOWN_REJECTS)
          .map((error) => [
            String(error.line),
            error.column ?? '',
            error.value ?? '',
            `${error.code}: ${error.reason}`,
          ]),
      ),
    );
  }
  if ((list.rejected ?? 0) > 0) {
    lines.push(
      options.rejectedSavedTo === undefined
        ? `all rejected rows with their reasons (fix them and upload that file): ${rejectedCommand(list)}`
        : `all rejected rows with their reasons saved to ${options.rejectedSavedTo}: fix them and upload that file`,
    );
  }
  return lines.join('\n');
}

/** Downloads a list's rejected rows (inline, or by the redirect to S3 for large files) into a file. */
export async function downloadRejected(client: ApiClient, list: Pick<ListView, 'campaignId' | 'listId'>, path: string) {
  const rejectedPath = apiPath`/campaigns/${list.campaignId}/lists/${list.listId}/rejected.csv`;
  let response = await client.send({ path: rejectedPath });
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    response = await fetchPresigned(new URL(location, client.baseUrl).href);
  } else if (!response.ok) {
    throw await apiErrorOf(response, `GET ${rejectedPath}`);
  }
  if (response.body === null) throw new CliError(`GET ${rejectedPath} answered without a file`);
  return writeDownload(response.body, path);
}

export const listsCommand: CommandSpec = {
  name: 'lists',
  summary: "the lists uploaded for a run, one list's import summary, its rejected rows",
  usage: [
    'lists --campaign <id> [--date YYYY-MM-DD]',
    'lists get <listId> --campaign <id>',
    'lists rejected <listId> --campaign <id> [--out <file>]',
  ],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run date (default today)' },
    out: { type: 'string', value: 'file', description: 'where to save rejected rows (default rejected-<listId>.csv)' },
  },
  details: [
    'rejected.csv holds every rejected row as uploaded plus a reason column: fix the rows and upload it again.',
  ],
  async run({ args, values, json, api, out, now }) {
    const [subcommand, listId, ...rest] = args;
    const campaignId = requiredOption(values, 'campaign', 'lists', 'id');
    const client = await api();
    if (subcommand === undefined) {
      const date = dateOption(values, now());
      const { lists } = await client.json(ListsOfRunSchema, {
        path: apiPath`/campaigns/${campaignId}/lists`,
        query: { date },
      });
      if (json) return void out.printJson({ campaignId, date, lists });
      if (lists.length === 0) return void out.print(`no lists for ${campaignId} on ${date}`);
      out.print(
        formatTable(
          [
            { title: 'LIST' },
            { title: 'STATUS' },
            { title: 'ROWS', align: 'right' },
            { title: 'ACCEPTED', align: 'right' },
            { title: 'REJECTED', align: 'right' },
            { title: 'DUPLICATES', align: 'right' },
          ],
          lists.map((list) => [
            list.listId,
            list.status,
            formatCount(list.rows ?? list.progress?.rows ?? 0),
            formatCount(list.accepted ?? list.progress?.accepted ?? 0),
            formatCount(list.rejected ?? list.progress?.rejected ?? 0),
            formatCount(list.duplicates ?? list.progress?.duplicates ?? 0),
          ]),
        ),
      );
      return undefined;
    }
    if (listId === undefined || rest.length > 0 || !['get', 'rejected'].includes(subcommand)) {
      throw new UsageError(`wrong arguments for lists ${subcommand}`, helpHint('lists'));
    }
    if (subcommand === 'get') {
      const list = await client.json(ListViewSchema, { path: apiPath`/campaigns/${campaignId}/lists/${listId}` });
      if (json) return void out.printJson(list);
      out.print(renderListSummary(list, now()));
      return undefined;
    }
    const path = stringOption(values, 'out') ?? `rejected-${listId}.csv`;
    const bytes = await downloadRejected(client, { campaignId, listId }, path);
    if (json) return void out.printJson({ campaignId, listId, file: path, bytes });
    out.print(`rejected rows of ${listId} saved to ${path}`);
    return undefined;
  },
};
