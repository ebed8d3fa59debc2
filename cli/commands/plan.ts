/**
 * `campaign plan`: the plan of a run before it dials (POST /campaigns/{id}/plan): when the day's list will finish,
 * what paces it, what it costs and what to raise to finish in time. With `--list FILE` the list is read here (as
 * the import reads it) and only its count per time zone is sent; what-if flags replace the stage's caps.
 */
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse } from 'yaml';
import { parseCampaign } from '../../functions/core/campaign.ts';
import { readList } from '../../functions/core/import/list-reader.ts';
import { type PlanCost, planCost, UsageProfileSchema } from '../../functions/core/planning/cost.ts';
import { parseRateTable, ratesFor } from '../../functions/core/planning/rates.ts';
import { apiPath } from '../api-client.ts';
import { type Plan, PlanSchema, StoredCampaignSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, type OptionValues, requiredOption, stringOption } from '../command-line.ts';
import { UsageError } from '../errors.ts';
import { formatCount, formatFields, formatPercent, formatTable } from '../format.ts';

/** A positive number option (`--rate 14`, `--rate 2.5`), or undefined when absent. */
function numberOption(values: OptionValues, name: string, integer: boolean): number | undefined {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${name} ${value} is not a positive ${integer ? 'whole ' : ''}number`);
  }
  return number;
}

/** Contacts per time zone of a list file, as the import would accept them. */
export async function contactsPerZone(
  file: string,
  campaign: unknown,
): Promise<{ timeZones: Record<string, number>; accepted: number; rejected: number }> {
  const definition = parseCampaign(campaign, 'the campaign from the API');
  const format = extname(file).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv';
  await access(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const { rows } = await readList(createReadStream(file), format, definition);
  const timeZones: Record<string, number> = {};
  let accepted = 0;
  let rejected = 0;
  for await (const row of rows) {
    if (row.kind !== 'accepted') {
      rejected++;
      continue;
    }
    accepted++;
    timeZones[row.contact.timeZone] = (timeZones[row.contact.timeZone] ?? 0) + 1;
  }
  return { timeZones, accepted, rejected };
}

/** The shipped rate table and usage profile (config/). */
const CONFIG_DIRECTORY = join(import.meta.dirname, '..', '..', 'config');

/**
 * Prices a plan: the engine's measured usage per unit of work (config/usage-profile.json, `npm run rehearse --
 * --write-profile`) and the rate table (config/aws-rates.yml, or `--rates FILE`) of `region`.
 */
export async function costOfPlan(plan: Plan, region: string, ratesFile?: string): Promise<PlanCost> {
  const read = (file: string) =>
    readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
    });
  const ratesPath = ratesFile ?? join(CONFIG_DIRECTORY, 'aws-rates.yml');
  const profilePath = join(CONFIG_DIRECTORY, 'usage-profile.json');
  const [ratesText, profileText] = await Promise.all([read(ratesPath), read(profilePath)]);
  let rates: ReturnType<typeof ratesFor>;
  try {
    rates = ratesFor(parseRateTable(parse(ratesText), ratesPath), region);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const profile = UsageProfileSchema.safeParse(JSON.parse(profileText));
  if (!profile.success) throw new UsageError(`${profilePath}: ${profile.error.issues[0]?.message ?? 'invalid'}`);
  return planCost(
    { ...plan.prediction, contacts: plan.inputs.contacts.value, lineMinutes: plan.prediction.lineMinutes },
    profile.data,
    rates,
  );
}

const BINDING_WORDS: Record<string, string> = {
  CONNECT_CONCURRENCY: 'Connect concurrent calls (lines)',
  DIAL_RATE: 'the dial rate (StartOutboundVoiceContact per second)',
  FLOW_LAMBDA_CONCURRENCY: "the flow Lambdas' reserved concurrency",
  RETRY_POLICY: 'the retry policy (waiting for retries, not for lines or rate)',
};

/** The plan as tables and lines for a terminal. */
export function renderPlan(plan: Plan, timeZone?: string): string {
  const time = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timeZone ?? plan.window.timeZone,
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(new Date(iso));
  const { inputs, prediction } = plan;
  const caps = inputs.caps;
  const inputRows: string[][] = [
    ['contacts', formatCount(inputs.contacts.value), inputs.contacts.source],
    ['lines', formatCount(caps.lines.value), caps.lines.source],
    ['dial rate', `${caps.dialsPerSecond.value}/s`, caps.dialsPerSecond.source],
    ['burst', String(caps.dialBurst.value), caps.dialBurst.source],
    ['tick', `${caps.tickSeconds.value} s`, caps.tickSeconds.source],
    [
      'flow Lambdas',
      `${caps.flowFunctionConcurrency.value} (serve ${formatCount(caps.linesFlowLambdasServe)} calls)`,
      caps.flowFunctionConcurrency.source,
    ],
    ['tick gap', `${inputs.tickGapMs.value} ms`, inputs.tickGapMs.source],
    ['settle', `${inputs.settleMs.value} ms after a call ends`, inputs.settleMs.source],
    [
      'outcome mix',
      Object.entries(inputs.mix.shares)
        .map(([outcome, share]) => `${outcome} ${formatPercent(share ?? 0, 0)}`)
        .join(', '),
      inputs.mix.source,
    ],
    ['line time', `${inputs.mix.meanLineSeconds} s per attempt`, inputs.mix.source],
  ];
  const lines = [
    `plan for ${plan.campaignId} on ${plan.date}: window ${time(plan.window.opensAt)} – ${time(plan.window.closesAt)} (${plan.window.timeZone})`,
    '',
    formatTable([{ title: 'input' }, { title: 'value' }, { title: 'from' }], inputRows),
    '',
    formatFields([
      ['attempts', `${formatCount(prediction.attempts)} (${formatCount(prediction.answered)} answered)`],
      [
        'call minutes',
        `${formatCount(Math.round(prediction.talkMinutes))} talking, ${formatCount(Math.round(prediction.lineMinutes))} on the line`,
      ],
      ['finishes', `${time(prediction.finishAt)}${prediction.finishesInWindow ? ' (within the window)' : ''}`],
      [
        'at window close',
        prediction.waitingAtWindowClose === 0
          ? 'nobody waiting'
          : `${formatCount(prediction.waitingAtWindowClose)} contacts still waiting (${formatPercent(prediction.waitingShare)})`,
      ],
      ['peak lines', formatCount(prediction.peakLines)],
      ['paced by', BINDING_WORDS[prediction.binding] ?? prediction.binding],
      ['physical bound', `${time(prediction.physicalBoundAt)} (max of attempts × line time ÷ lines, attempts ÷ rate)`],
    ]),
  ];
  if (plan.cost !== undefined) {
    lines.push(
      '',
      formatFields([
        [
          'engine cost',
          `$${plan.cost.engine.total.toFixed(2)} ($${plan.cost.engine.perThousandContacts.toFixed(3)} per 1,000 contacts) — ${plan.cost.engine.source}`,
        ],
        ['telephony', `$${plan.cost.telephony.total.toFixed(2)} — ${plan.cost.telephony.source}`],
      ]),
    );
  }
  if (plan.needed !== undefined) {
    lines.push(
      '',
      `to finish in the window: ${formatCount(plan.needed.lines)} lines, ${plan.needed.dialsPerSecond}/s, flow Lambda concurrency ${plan.needed.flowFunctionConcurrency} (finishes ${time(plan.needed.finishAt)})`,
    );
  }
  lines.push(
    '',
    `simulated ${formatCount(plan.simulation.simulatedContacts)} contacts${plan.simulation.scale > 1 ? ` (the list scaled down ${plan.simulation.scale}×)` : ''}, ${plan.simulation.runs} run${plan.simulation.runs === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

export const planCommand: CommandSpec = {
  name: 'plan',
  summary: 'plan a run before it dials: finish time, what paces it, lines and rate needed, cost',
  usage: [
    'plan --campaign <id> [--date YYYY-MM-DD] [--list FILE | --contacts N] [--lines N] [--rate R] [--burst B]',
    '     [--flow-concurrency N] [--tick S] [--gap MS] [--settle MS] [--start ISO-TIME] [--rates FILE] [--region R]',
  ],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run date (default today)' },
    list: {
      type: 'string',
      value: 'file',
      description: 'the list to plan (CSV or .xlsx), read here as the import reads it',
    },
    contacts: { type: 'string', value: 'n', description: 'plan this many contacts (in the campaign time zone)' },
    lines: { type: 'string', value: 'n', description: 'what if: concurrent calls (default: the stage cap)' },
    rate: { type: 'string', value: 'r', description: 'what if: dials per second (default: the stage cap)' },
    burst: { type: 'string', value: 'b', description: 'what if: dial burst' },
    'flow-concurrency': { type: 'string', value: 'n', description: 'what if: reserved flow-Lambda concurrency' },
    rates: { type: 'string', value: 'file', description: 'rate table to price with (default config/aws-rates.yml)' },
    region: { type: 'string', value: 'region', description: 'prices of this Region (default AWS_REGION, eu-west-1)' },
    tick: { type: 'string', value: 's', description: 'what if: dispatcher tick, seconds' },
    gap: { type: 'string', value: 'ms', description: 'time between two ticks in AWS (default 400, an estimate)' },
    settle: {
      type: 'string',
      value: 'ms',
      description: "time from a call's end to the line's release in AWS (default 1000, an estimate)",
    },
    start: {
      type: 'string',
      value: 'iso-time',
      description: 'when dialing starts (default now, or the window opening)',
    },
  },
  details: [
    'Without --list or --contacts the contacts already imported for the date are planned.',
    'The outcome mix and call lengths come from the campaign’s past runs when it has any, else documented defaults.',
    'Exit code 4 when the plan misses the calling window (the warning says what to raise).',
    'Example: campaign plan --campaign demo --list today.csv --lines 800 --rate 14',
  ],
  async run({ values, json, api, out, now, env }) {
    const campaignId = requiredOption(values, 'campaign', 'plan', 'id');
    const date = dateOption(values, now());
    const list = stringOption(values, 'list');
    const contacts = numberOption(values, 'contacts', true);
    if (list !== undefined && contacts !== undefined) {
      throw new UsageError('give --list or --contacts, not both');
    }
    const start = stringOption(values, 'start');
    if (start !== undefined && Number.isNaN(Date.parse(start))) {
      throw new UsageError(`--start ${start} is not a time`, 'e.g. --start 2026-11-23T08:00:00+01:00');
    }
    const client = await api();
    const body: Record<string, unknown> = { date };
    if (list !== undefined) {
      const campaign = await client.json(StoredCampaignSchema, { path: apiPath`/campaigns/${campaignId}` });
      const read = await contactsPerZone(list, campaign);
      if (read.accepted === 0) throw new UsageError(`${list} has no contact the import would accept`);
      out.note(
        `${list}: ${formatCount(read.accepted)} contacts in ${Object.keys(read.timeZones).length} time zones (${formatCount(read.rejected)} rows the import would reject)`,
      );
      body.timeZones = read.timeZones;
      body.listName = list;
    }
    const ask: Array<[string, string, boolean]> = [
      ['contacts', 'contacts', true],
      ['lines', 'lines', true],
      ['rate', 'dialsPerSecond', false],
      ['burst', 'dialBurst', true],
      ['flow-concurrency', 'flowFunctionConcurrency', true],
      ['tick', 'tickSeconds', true],
      ['gap', 'tickGapMs', true],
      ['settle', 'settleMs', true],
    ];
    for (const [option, field, integer] of ask) {
      const value = numberOption(values, option, integer);
      if (value !== undefined) body[field] = value;
    }
    if (start !== undefined) body.startAt = new Date(start).toISOString();
    const planned = await client.json(PlanSchema, {
      method: 'POST',
      path: apiPath`/campaigns/${campaignId}/plan`,
      json: body,
    });
    const region = stringOption(values, 'region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'eu-west-1';
    const cost = await costOfPlan(planned, region, stringOption(values, 'rates'));
    const plan: Plan = { ...planned, cost };
    if (json) out.printJson(plan);
    else out.print(renderPlan(plan));
    for (const warning of plan.warnings) out.note(`warning: ${warning}`);
    return plan.prediction.finishesInWindow ? 0 : 4;
  },
};
