/** `campaign runs start|pause|resume|stop`: run control (POST /campaigns/{id}/runs[/{date}/{action}]). */

import { apiPath } from '../api-client.ts';
import { RunControlledSchema, RunStartedSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, requiredOption } from '../command-line.ts';
import { ApiError, helpHint, UsageError } from '../errors.ts';

const ACTIONS = ['start', 'pause', 'resume', 'stop'] as const;

export const runsCommand: CommandSpec = {
  name: 'runs',
  summary: 'start, pause, resume or stop the run of a campaign for a date',
  usage: ['runs start|pause|resume|stop --campaign <id> [--date YYYY-MM-DD]'],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run date (default today)' },
  },
  details: [
    'start: starts the run (or resumes a failed one); pause/resume: obeyed within one dispatcher tick;',
    'stop: calls in flight finish, waiting contacts expire.',
    'Example: campaign runs start --campaign demo',
  ],
  async run({ args, values, json, api, out, now }) {
    const [action, ...rest] = args;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number]) || rest.length > 0) {
      throw new UsageError(
        action === undefined ? 'runs needs an action: start, pause, resume or stop' : `unknown runs action "${action}"`,
        helpHint('runs'),
      );
    }
    const campaignId = requiredOption(values, 'campaign', 'runs', 'id');
    const date = dateOption(values, now());
    const client = await api();
    const statusHint = `see where it is with \`campaign status --campaign ${campaignId} --date ${date}\``;
    const withHint = (error: unknown): never => {
      if (error instanceof ApiError && error.status === 409) {
        throw new ApiError(409, error.message, { code: error.code, problems: error.problems, hint: statusHint });
      }
      throw error;
    };
    if (action === 'start') {
      const started = await client
        .json(RunStartedSchema, { method: 'POST', path: apiPath`/campaigns/${campaignId}/runs`, json: { date } })
        .catch(withHint);
      if (json) return void out.printJson(started);
      out.print(
        `started the run of ${campaignId} for ${date}; watch it with \`campaign status --campaign ${campaignId} --date ${date} --watch\``,
      );
      return undefined;
    }
    const result = await client
      .json(RunControlledSchema, {
        method: 'POST',
        path: apiPath`/campaigns/${campaignId}/runs/${date}/${action as string}`,
      })
      .catch(withHint);
    if (json) return void out.printJson(result);
    out.print(`run of ${campaignId} for ${date}: ${result.status}`);
    return undefined;
  },
};
