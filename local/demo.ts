/**
 * What `npm start` shows a newcomer: the campaigns in `config/campaigns/` are stored through the
 * API (validated like any PUT), so the demo campaign is ready to receive a list and run.
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

export async function loadDemo(cloud: LocalCloud, log: (line: string) => void): Promise<void> {
  await syncCampaigns(cloud.endpoints.api, log);
}
