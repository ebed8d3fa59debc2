/**
 * `campaign analytics backfill --from D --to D [--campaign id]`: writes the analytics facts of runs that ended before
 * the pipeline existed (POST /analytics/backfill). Each ended run is handed to the backfill worker, which adds only
 * the facts a run is missing: running it again changes nothing.
 */
import { type BackfillResult, BackfillResultSchema } from '../api-schemas.ts';
import { type CommandSpec, requiredOption, stringOption } from '../command-line.ts';
import { UsageError } from '../errors.ts';
import { formatTable } from '../format.ts';

/** What was queued and what was skipped, with why. */
export function renderBackfill(result: BackfillResult): string {
  const lines = [`${result.queued.length} run(s) queued for backfill, ${result.skipped.length} skipped`];
  if (result.queued.length > 0) {
    lines.push(
      '',
      formatTable(
        [{ title: 'CAMPAIGN' }, { title: 'DATE' }],
        result.queued.map((run) => [run.campaignId, run.date]),
      ),
    );
  }
  if (result.skipped.length > 0) {
    lines.push(
      '',
      formatTable(
        [{ title: 'CAMPAIGN' }, { title: 'DATE' }, { title: 'SKIPPED BECAUSE' }],
        result.skipped.map((run) => [run.campaignId, run.date, run.reason]),
      ),
    );
  }
  if (result.queued.length > 0)
    lines.push('', 'their facts appear within minutes: check with `campaign analyze outcomes`');
  return lines.join('\n');
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const analyticsCommand: CommandSpec = {
  name: 'analytics',
  summary: 'backfill the analytics facts of runs that ended before analytics existed',
  usage: ['analytics backfill --from YYYY-MM-DD --to YYYY-MM-DD [--campaign <id>]'],
  options: {
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first run date' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last run date (at most 92 days after --from)' },
    campaign: { type: 'string', value: 'id', description: 'one campaign (default every campaign)' },
  },
  details: [
    'Only ended runs are backfilled, once the stream can no longer deliver their changes (about an hour after',
    'their end in AWS); running runs get their facts from the stream. Idempotent.',
  ],
  async run({ args, values, json, api, out }) {
    const [subcommand, ...rest] = args;
    if (subcommand !== 'backfill' || rest.length > 0) {
      throw new UsageError(
        'usage: campaign analytics backfill --from YYYY-MM-DD --to YYYY-MM-DD',
        'run `campaign analytics --help`',
      );
    }
    const from = requiredOption(values, 'from', 'analytics', 'YYYY-MM-DD');
    const to = requiredOption(values, 'to', 'analytics', 'YYYY-MM-DD');
    for (const [name, value] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!DATE.test(value)) throw new UsageError(`--${name} ${value} is not a date`, 'write dates as YYYY-MM-DD');
    }
    const client = await api();
    const result = await client.json(BackfillResultSchema, {
      method: 'POST',
      path: '/analytics/backfill',
      json: {
        from,
        to,
        ...(stringOption(values, 'campaign') !== undefined && { campaign: stringOption(values, 'campaign') }),
      },
    });
    if (json) out.printJson(result);
    else out.print(renderBackfill(result));
    return undefined;
  },
};
