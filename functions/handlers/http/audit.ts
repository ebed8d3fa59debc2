/**
 * The audit log API: GET /audit[?from=YYYY-MM-DD&to=YYYY-MM-DD&campaignId=…&action=…&limit=100], newest first.
 * `from`/`to` are UTC days (default: the last 7 days, at most 92); `truncated` says the limit cut the answer.
 */
import { z } from 'zod';
import { AuditLog } from '../../adapters/audit-log.ts';
import { documentClient } from '../../adapters/aws-clients.ts';
import { AuditActionSchema } from '../../core/audit.ts';
import { MAX_REPORT_RANGE_DAYS, reportDates } from '../../core/report/summary.ts';
import { environment } from '../../lib/config.ts';
import { badRequest, httpHandler, json, parseRequest } from '../../lib/http.ts';

const settings = environment(['TABLE_NAME', 'AUDIT_RETENTION_DAYS']);
const audit = new AuditLog(settings.TABLE_NAME, settings.AUDIT_RETENTION_DAYS, documentClient);

const QuerySchema = z.object({
  from: z.iso.date('expected a date as YYYY-MM-DD').optional(),
  to: z.iso.date('expected a date as YYYY-MM-DD').optional(),
  campaignId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id')
    .optional(),
  action: AuditActionSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

const dayBefore = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

export const list = httpHandler(async (event) => {
  const query = parseRequest(QuerySchema, event.queryStringParameters ?? {}, 'query');
  const to = query.to ?? new Date().toISOString().slice(0, 10);
  const from = query.from ?? dayBefore(to, 6);
  const range = reportDates(from, to);
  if ('problem' in range) {
    throw badRequest(`at most ${MAX_REPORT_RANGE_DAYS} days, from before to`, [range.problem]);
  }
  const { entries, truncated } = await audit.list({
    from,
    to,
    limit: query.limit,
    ...(query.campaignId !== undefined && { campaignId: query.campaignId }),
    ...(query.action !== undefined && { action: query.action }),
  });
  return json(200, { from, to, entries, truncated });
});
