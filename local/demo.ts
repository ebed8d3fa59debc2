/**
 * What `npm start` shows a newcomer: the campaigns in `config/campaigns/` are stored through the
 * API (validated like any PUT), today's demo list (`config/demo/list.csv`, messy like a real
 * export) is uploaded, and the demo run starts, so calls are placed, retried and finished within
 * minutes at any hour. Everything goes through the public API, as an operator would do it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { LocalCloud } from './cloud.ts';

const CAMPAIGNS_DIRECTORY = resolve(import.meta.dirname, '..', 'config', 'campaigns');

/** PUTs every campaign definition in config/campaigns through the API. */
export async function syncCampaigns(api: string, log: (line: string) => void): Promise<string[]> {
  const synced: string[] = [];
  for (const file of readdirSync(CAMPAIGNS_DIRECTORY).filter((name) => /\.ya?ml$/.test(name))) {
    const definition: unknown = parse(readFileSync(join(CAMPAIGNS_DIRECTORY, file), 'utf8'));
    const id = typeof definition === 'object' && definition !== null && 'id' in definition ? String(definition.id) : '';
    const response = await fetch(`${api}/campaigns/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`config/campaigns/${file} was refused (${response.status}): ${body}`);
    log(`campaign "${id}" stored from config/campaigns/${file} (version ${JSON.parse(body).version})`);
    synced.push(id);
  }
  return synced;
}

const DEMO_LIST = resolve(import.meta.dirname, '..', 'config', 'demo', 'list.csv');

export async function loadDemo(cloud: LocalCloud, log: (line: string) => void): Promise<void> {
  const api = cloud.endpoints.api;
  await syncCampaigns(api, log);
  const date = new Date().toISOString().slice(0, 10);
  const upload = await fetch(`${api}/campaigns/demo/lists?date=${date}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: readFileSync(DEMO_LIST),
  });
  const summary = (await upload.json()) as Record<string, unknown>;
  if (!upload.ok) throw new Error(`the demo list was refused (${upload.status}): ${JSON.stringify(summary)}`);
  log(
    `list config/demo/list.csv imported for ${date}: ${summary.rows} rows, ${summary.accepted} accepted, ` +
      `${summary.rejected} rejected, ${summary.duplicates} duplicates, ${summary.suppressed} suppressed`,
  );
  const started = await fetch(`${api}/campaigns/demo/runs`, { method: 'POST', body: JSON.stringify({ date }) });
  if (started.status === 409) {
    log(`the demo run for ${date} is already running`);
  } else if (!started.ok) {
    throw new Error(`the demo run did not start (${started.status}): ${await started.text()}`);
  } else {
    log(`demo run started: watch it with  curl ${api}/campaigns/demo/runs/${date}`);
  }
  followRun(api, 'demo', date, log);
}

/** Prints the run's progress every 10 s until it has finished, as `curl .../runs/{date}` shows it. */
function followRun(api: string, campaignId: string, date: string, log: (line: string) => void): void {
  const timer = setInterval(async () => {
    try {
      const response = await fetch(`${api}/campaigns/${campaignId}/runs/${date}`);
      if (!response.ok) return;
      const run = (await response.json()) as {
        status: string;
        callsInFlight: number;
        contacts: Record<string, number>;
      };
      const counts = Object.entries(run.contacts)
        .filter(([, count]) => count > 0)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ');
      log(`${campaignId} run ${date}: ${run.status}, ${run.callsInFlight} calls in flight; contacts: ${counts}`);
      if (run.status === 'FINISHED' || run.status === 'FAILED') {
        clearInterval(timer);
        log(`report: curl ${api}/campaigns/${campaignId}/reports/${date}`);
      }
    } catch {
      // The API is stopping with the rest of the local cloud.
    }
  }, 10_000);
  timer.unref();
}
