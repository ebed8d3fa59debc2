/**
 * GET /alerts[?campaignId=…]: the alerts sent recently, newest first (the dashboard's "recent alerts").
 * With a campaign: those naming it and the engine-wide ones (throttling, leaked leases).
 */
import { z } from 'zod';
import { recentAlerts } from '../../adapters/alerts.ts';
import { environment } from '../../lib/config.ts';
import { httpHandler, json, parseRequest } from '../../lib/http.ts';

const settings = environment(['TABLE_NAME']);

const QuerySchema = z.object({
  campaignId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const list = httpHandler(async (event) => {
  const { campaignId, limit } = parseRequest(QuerySchema, event.queryStringParameters ?? {}, 'query');
  const alerts = await recentAlerts(settings.TABLE_NAME, campaignId);
  return json(200, { alerts: alerts.slice(0, limit) });
});
