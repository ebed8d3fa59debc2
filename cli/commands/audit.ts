/** `campaign audit`: the operator actions of the audit log (GET /audit), newest first. */
import { type AuditList, AuditListSchema } from '../api-schemas.ts';
import { type CommandSpec, integerOption, stringOption } from '../command-line.ts';
import { formatTable, formatTime } from '../format.ts';

export function renderAudit(list: AuditList, now: Date): string {
  if (list.entries.length === 0) return `no operator actions from ${list.from} to ${list.to}`;
  const table = formatTable(
    [
      { title: 'TIME' },
      { title: 'WHO' },
      { title: 'ACTION' },
      { title: 'TARGET' },
      { title: 'RESULT' },
      { title: 'DETAILS' },
    ],
    list.entries.map((entry) => [
      formatTime(entry.at, now),
      entry.actor.id,
      entry.action,
      Object.values(entry.target).join(' '),
      `${entry.result.status}${entry.result.code ? ` ${entry.result.code}` : ''}`,
      [
        ...Object.entries(entry.details ?? {}).map(([name, value]) => `${name}=${String(value)}`),
        ...(entry.diff ?? []).map((change) => `${change.path}: ${change.before ?? '∅'} → ${change.after ?? '∅'}`),
      ].join('; '),
    ]),
  );
  return list.truncated ? `${table}\n… more: narrow --from/--to or raise --limit` : table;
}

export const auditCommand: CommandSpec = {
  name: 'audit',
  summary: 'the audit log: who did what, when, to what, and how it ended',
  usage: ['audit [--campaign <id>] [--action <ACTION>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit <n>]'],
  options: {
    campaign: { type: 'string', value: 'id', description: 'only actions on this campaign' },
    action: {
      type: 'string',
      value: 'ACTION',
      description: 'only this action (CAMPAIGN_PUT, LIST_UPLOAD, RUN_START, …)',
    },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first UTC day (default: 6 days before --to)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last UTC day (default: today)' },
    limit: { type: 'string', value: 'n', description: 'most entries shown (default 100, at most 1000)' },
  },
  details: [
    'Every upload, campaign change (with its diff), run start/pause/resume/stop, do-not-call upload, export and',
    "person show/forget, with the caller's IAM principal (in AWS) or local user. Example: campaign audit --campaign demo",
  ],
  async run({ values, json, api, out, now }) {
    const client = await api();
    const list = await client.json(AuditListSchema, {
      path: '/audit',
      query: {
        campaignId: stringOption(values, 'campaign'),
        action: stringOption(values, 'action'),
        from: stringOption(values, 'from'),
        to: stringOption(values, 'to'),
        limit: String(integerOption(values, 'limit', 100)),
      },
    });
    if (json) return void out.printJson(list);
    out.print(renderAudit(list, now()));
    return undefined;
  },
};
