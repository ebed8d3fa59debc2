/** `campaign campaigns list | get <id> | put <file>`: campaign definitions (GET/PUT /campaigns). */
import { extname } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { apiPath } from '../api-client.ts';
import { CampaignListSchema, StoredCampaignSchema } from '../api-schemas.ts';
import type { CommandSpec } from '../command-line.ts';
import { ApiError, CliError, helpHint, UsageError } from '../errors.ts';
import { readInputFile } from '../files.ts';
import { formatTable, formatTime } from '../format.ts';

const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Fields the API adds to a stored definition; `get` shows them, `put` leaves them out. */
const STORED_FIELDS = ['version', 'updatedAt'];

const usage = helpHint('campaigns');

/**
 * A campaign definition from a YAML or JSON file, without the fields the API assigns.
 * @throws CliError when the file cannot be read or parsed, or names no campaign id.
 */
export async function readDefinition(path: string): Promise<{ id: string; definition: Record<string, unknown> }> {
  const text = (await readInputFile(path)).toString('utf8');
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(
      `${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${path} does not hold a campaign definition (a mapping of fields)`, {
      hint: 'see config/campaigns/demo.yml for an example',
    });
  }
  const definition = Object.fromEntries(Object.entries(value).filter(([name]) => !STORED_FIELDS.includes(name)));
  const id = definition.id;
  if (typeof id !== 'string' || !CAMPAIGN_ID.test(id)) {
    throw new CliError(`${path} has no valid campaign id`, {
      hint: 'add `id: <lower-case letters, digits and dashes>` at the top of the file',
    });
  }
  return { id, definition };
}

export const campaignsCommand: CommandSpec = {
  name: 'campaigns',
  summary: 'list, show or store campaign definitions',
  usage: ['campaigns list', 'campaigns get <id>', 'campaigns put <file.yml|file.json>'],
  options: {},
  details: [
    '`get` prints the definition as YAML (JSON with --json), its version and update time as a comment;',
    '`put` validates and stores a new version (the same checks as the API; problems are listed by path).',
    'Example: campaign campaigns put config/campaigns/demo.yml',
  ],
  async run({ args, json, api, out, now }) {
    const [subcommand, ...rest] = args;
    const client = await api();
    if (subcommand === 'list' && rest.length === 0) {
      const { campaigns } = await client.json(CampaignListSchema, { path: '/campaigns' });
      if (json) return void out.printJson({ campaigns });
      if (campaigns.length === 0)
        return void out.print('no campaigns yet: store one with `campaign campaigns put <file>`');
      out.print(
        formatTable(
          [{ title: 'ID' }, { title: 'NAME' }, { title: 'VERSION', align: 'right' }, { title: 'UPDATED' }],
          campaigns.map((campaign) => [
            campaign.id,
            campaign.name,
            String(campaign.version),
            campaign.updatedAt === undefined ? '' : formatTime(campaign.updatedAt, now()),
          ]),
        ),
      );
      return undefined;
    }
    if (subcommand === 'get' && rest.length === 1) {
      const id = rest[0] ?? '';
      if (!CAMPAIGN_ID.test(id)) throw new UsageError(`"${id}" is not a campaign id`, usage);
      const stored = await client.json(StoredCampaignSchema, { path: apiPath`/campaigns/${id}/definition` });
      if (json) return void out.printJson(stored);
      const { version, updatedAt, ...definition } = stored;
      out.print(`# campaign ${id}, version ${version}${updatedAt === undefined ? '' : `, updated ${updatedAt}`}`);
      out.print(toYaml(definition, { lineWidth: 0 }));
      return undefined;
    }
    if (subcommand === 'put' && rest.length === 1) {
      const path = rest[0] ?? '';
      const { id, definition } = await readDefinition(path);
      const stored = await client
        .json(StoredCampaignSchema, { method: 'PUT', path: apiPath`/campaigns/${id}`, json: definition })
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 400) {
            throw new ApiError(400, `${path}: ${error.message}`, {
              code: error.code,
              problems: error.problems,
              hint: `fix the fields named above (body.<field> is the field in ${path}) and run the command again`,
            });
          }
          throw error;
        });
      if (json) return void out.printJson(stored);
      out.print(`stored campaign ${stored.id}: version ${stored.version}`);
      return undefined;
    }
    throw new UsageError(
      subcommand === undefined
        ? 'campaigns needs a subcommand: list, get <id> or put <file>'
        : `wrong arguments for campaigns ${subcommand}`,
      usage,
    );
  },
};
