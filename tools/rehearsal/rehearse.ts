/**
 * `npm run rehearse -- [--campaign demo] [--list FILE | --contacts 2000] [--lines 60] [--rate 8] [--tick 2]
 * [--time-scale 0.1] [--region eu-west-1] [--write-profile]`: a day's run, rehearsed on the whole local cloud with
 * time compressed, against its plan.
 *
 * 1. The local cloud starts with the rehearsal's caps; the Connect simulator's callees follow the plan's outcome mix
 *    (tools/rehearsal/scenario.ts), every call `timeScale` times shorter; the real state machine, dispatcher,
 *    contact flow and its Lambdas run.
 * 2. The campaign is stored (its calling window opened around the clock: a rehearsal runs now) and the list
 *    imported through the API, as an operator would.
 * 3. `POST /campaigns/{id}/plan` plans the run with the same caps and the mix compressed alike.
 * 4. The run starts; its live estimate is read every few seconds (the estimates schedule is invoked as the minute
 *    schedule would); the run ends.
 * 5. The plan is compared with the simulator's ground-truth call log: finish time, attempts, peak lines; the engine's
 *    own AWS usage is read from the offline log (tools/rehearsal/measure.ts), split per unit of work, priced.
 *
 * Heavy: run it under the shared lock (`flock /tmp/heavy.lock npm run rehearse`).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseCampaign } from '../../functions/core/campaign.ts';
import { priceEngine, priceTelephony, usageOf } from '../../functions/core/planning/cost.ts';
import { defaultOutcomeMix } from '../../functions/core/planning/outcome-mix.ts';
import { parseRateTable, ratesFor } from '../../functions/core/planning/rates.ts';
import { startLocalCloud } from '../../local/cloud.ts';
import { startLocalConnect } from '../../local/connect.ts';
import { stopAllProcesses, stopAllProcessesOnSignal } from '../../local/processes.ts';
import { localSettings } from '../../local/settings.ts';
import { functionMemory, measureLog, usageProfile } from './measure.ts';
import { compressedMix, scenarioFor } from './scenario.ts';

interface CallRecord {
  startedAt: string;
  endedAt: string;
  attributes: Record<string, string>;
}

/** What the rehearsal reads of the run report: its cost. */
const RunReportCostSchema = z.object({
  cost: z.object({
    engine: z.object({ total: z.number(), byService: z.array(z.object({ service: z.string(), usd: z.number() })) }),
  }),
});

/** The import's answer (a list imported within the request: status DONE, its summary beside). */
const ImportedListSchema = z.looseObject({ status: z.literal('DONE'), accepted: z.number().int().min(1) });

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const { values } = parseArgs({
  options: {
    campaign: { type: 'string', default: 'demo' },
    list: { type: 'string' },
    contacts: { type: 'string', default: '2000' },
    lines: { type: 'string', default: '60' },
    rate: { type: 'string', default: '8' },
    tick: { type: 'string', default: '2' },
    gap: { type: 'string', default: '400' },
    'time-scale': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    region: { type: 'string', default: 'eu-west-1' },
    'write-profile': { type: 'boolean', default: false },
  },
});

function number(name: keyof typeof values, min: number): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`--${name} needs a number ≥ ${min}, got "${values[name]}"`);
  return value;
}

const lines = number('lines', 1);
const rate = number('rate', 0.1);
const tickSeconds = number('tick', 1);
const gapMs = number('gap', 0);
const timeScale = number('time-scale', 0.001);
const seed = number('seed', 0);
const burst = Math.max(5, Math.ceil(rate));
const campaignFile = `config/campaigns/${values.campaign}.yml`;
const definition = parse(readFileSync(campaignFile, 'utf8'));
// A caller-ID pool's tiers count wall-clock hours and days, which the rehearsal's compressed calls do not: 2,000
// contacts would wait an hour for a demo number's 600 calls an hour. The rehearsal dials from the campaign's own
// caller ID instead (and its plan with it), and says so.
const { callerIdPool: pool, ...policy } = (definition.policy ?? {}) as Record<string, unknown>;
const campaign = parseCampaign(
  {
    ...definition,
    ...(definition.policy !== undefined && { policy }),
    callingWindow: {
      days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'],
      start: '00:00',
      end: '24:00',
      holidays: [],
    },
  },
  campaignFile,
);
const mix = defaultOutcomeMix(campaign.run.ringTimeoutSeconds);
const list = values.list === undefined ? generatedList(number('contacts', 1)) : readFileSync(values.list, 'utf8');

/** A list of `count` Polish mobile numbers nobody has (the simulator answers them all). */
function generatedList(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, index) => `Contact ${index},+48 6${String(10_000_000 + index).slice(-8)}`,
  );
  return `name,phone\n${rows.join('\n')}\n`;
}

const stateDirectory = '.local/rehearsal';
rmSync(stateDirectory, { recursive: true, force: true });
Object.assign(process.env, {
  LOCAL_TICK_SECONDS: String(tickSeconds),
  LOCAL_MAX_CALL_SECONDS: '600',
  LOCAL_MAX_CONCURRENT_CALLS: String(lines),
  LOCAL_DIALS_PER_SECOND: String(rate),
  LOCAL_DIAL_BURST: String(burst),
  LOCAL_FLOW_FUNCTION_CONCURRENCY: String(Math.max(20, Math.ceil(lines / 2))),
  LOCAL_LOG_LEVEL: 'WARN',
});
const settings = localSettings({
  ...process.env,
  LOCAL_HTTP_PORT: '33000',
  LOCAL_LAMBDA_PORT: '33002',
  LOCAL_DYNAMODB_PORT: '38000',
  LOCAL_S3_PORT: '34569',
  LOCAL_SFN_PORT: '38083',
  LOCAL_SNS_PORT: '38084',
  LOCAL_CONNECT_PORT: '38085',
  LOCAL_STATE_DIR: stateDirectory,
  LOCAL_DEMO: '0',
});

console.info(
  `rehearsal: campaign ${campaign.id}, ${lines} lines, ${rate}/s (burst ${burst}), tick ${tickSeconds} s, ` +
    `calls ${timeScale}× their length; starting the local cloud…`,
);
if (pool !== undefined) {
  console.info(
    `rehearsal: dialling from the campaign's callerId, not its caller-ID pool "${String(pool)}" (the pool's tiers count wall-clock time, which the rehearsal compresses)`,
  );
}
// An interrupted rehearsal stops what it started (DynamoDB Local, the offline server, the simulator).
stopAllProcessesOnSignal();
const cloud = await startLocalCloud({
  settings,
  log: () => undefined,
  startConnect: (context) =>
    startLocalConnect({ ...context, scenario: scenarioFor(mix, campaign, timeScale, seed) }, () => undefined),
});
const api = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
  const response = await fetch(`${cloud.endpoints.api}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};
const offlineLog = join(stateDirectory, 'offline.log');
const logOffset = () => statSync(offlineLog).size;
const lambda = new LambdaClient({
  endpoint: cloud.endpoints.lambda,
  region: settings.LOCAL_REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

try {
  const date = new Date().toISOString().slice(0, 10);
  await api('PUT', `/campaigns/${campaign.id}`, campaign);
  const importFrom = logOffset();
  const imported = ImportedListSchema.parse(
    await api('POST', `/campaigns/${campaign.id}/lists?date=${date}`, list, 'text/csv'),
  );
  const contacts = imported.accepted;
  console.info(`imported ${contacts} contacts`);
  // The offline process's usage meter writes what it counted at its next request 5 s on: the import's usage goes to
  // the import phase, not to the run's.
  await sleep(6_000);
  await api('GET', `/campaigns/${campaign.id}/definition`);
  await sleep(500);

  const plan = await api('POST', `/campaigns/${campaign.id}/plan`, {
    date,
    lines,
    dialsPerSecond: rate,
    dialBurst: burst,
    tickSeconds,
    tickGapMs: gapMs,
    mix: compressedMix(mix, timeScale),
  });
  const predicted = plan.prediction as { attempts: number; finishAt: string; peakLines: number };
  const planStart = Date.parse(String(plan.startAt));

  const runFrom = logOffset();
  const runStart = Date.now();
  await api('POST', `/campaigns/${campaign.id}/runs`, { date });
  const estimates: Array<{ at: number; finishAt: number; lineSeconds?: number }> = [];
  for (;;) {
    await sleep(5_000);
    await lambda
      .send(new InvokeCommand({ FunctionName: cloud.functionName('runEstimates'), Payload: Buffer.from('{}') }))
      .catch(() => undefined);
    const status = await api('GET', `/campaigns/${campaign.id}/runs/${date}`);
    const estimate = status.estimate as { finishAt: string; basis?: { meanLineSeconds?: number } } | undefined;
    if (estimate !== undefined) {
      estimates.push({
        at: Date.now(),
        finishAt: Date.parse(estimate.finishAt),
        ...(estimate.basis?.meanLineSeconds !== undefined && { lineSeconds: estimate.basis.meanLineSeconds }),
      });
    }
    if (status.status === 'FINISHED' || status.status === 'FAILED') {
      if (status.status === 'FAILED') throw new Error(`the run failed: ${JSON.stringify(status.failure)}`);
      break;
    }
  }
  // The usage meter writes its last lines at the next request at least 5 s later.
  await sleep(6_000);
  await api('GET', `/campaigns/${campaign.id}/runs/${date}`);
  await sleep(500);
  const runTo = logOffset();

  const calls = readFileSync(join(stateDirectory, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CallRecord)
    .filter((call) => call.attributes.campaignId === campaign.id);
  const lastEnd = Math.max(...calls.map((call) => Date.parse(call.endedAt)));
  const peak = peakConcurrency(calls);
  const actualSeconds = (lastEnd - runStart) / 1000;
  const plannedSeconds = (Date.parse(predicted.finishAt) - planStart) / 1000;
  const error = (plannedValue: number, actual: number) => `${(((plannedValue - actual) / actual) * 100).toFixed(1)} %`;

  const log = readFileSync(offlineLog, 'utf8');
  const memory = functionMemory(readFileSync('serverless.yml', 'utf8'));
  const importPhase = measureLog(log, memory, importFrom, runFrom);
  const runPhase = measureLog(log, memory, runFrom, runTo);
  const ticks = runPhase.lambda.dispatch?.invocations ?? 1;
  const profile = usageProfile({
    importPhase,
    runPhase,
    run: { contacts, attempts: calls.length, ticks, executions: runPhase.lambda.runInit?.invocations ?? 1 },
    measuredAt: new Date().toISOString(),
    source:
      `npm run rehearse -- --campaign ${campaign.id} --contacts ${contacts} --lines ${lines} --rate ${rate} ` +
      `--tick ${tickSeconds} --time-scale ${timeScale} (local cloud: consumed capacity from DynamoDB Local through ` +
      `the usage meter, Lambda billed durations from serverless-offline, transitions from the state machine)`,
  });
  const rates = ratesFor(parseRateTable(parse(readFileSync('config/aws-rates.yml', 'utf8'))), values.region);
  const engine = priceEngine(
    usageOf(profile, { contacts, attempts: calls.length, ticks, executions: profile.run.executions }),
    rates,
  );
  const lineMinutes =
    calls.reduce((sum, call) => sum + Date.parse(call.endedAt) - Date.parse(call.startedAt), 0) / 60_000;
  const telephony = priceTelephony({ lineMinutes: lineMinutes / timeScale, sms: 0 }, rates);
  const dispatchMs = runPhase.lambda.dispatch?.billedMs ?? 0;
  const gap = ticks > 1 ? ((lastEnd - runStart - dispatchMs) / ticks).toFixed(0) : '–';

  const row = (label: string, value: string) => console.info(`${label.padEnd(40)} ${value}`);
  console.info('\nrehearsal');
  row('contacts', String(contacts));
  row(
    'attempts (plan / actual, error)',
    `${predicted.attempts} / ${calls.length}, ${error(predicted.attempts, calls.length)}`,
  );
  row(
    'finish after start (plan / actual, error)',
    `${plannedSeconds.toFixed(0)} s / ${actualSeconds.toFixed(0)} s, ${error(plannedSeconds, actualSeconds)}`,
  );
  row('peak lines (plan / actual, error)', `${predicted.peakLines} / ${peak}, ${error(predicted.peakLines, peak)}`);
  const half = estimates.find((estimate) => estimate.at - runStart >= (lastEnd - runStart) / 2);
  if (half !== undefined) {
    row('live estimate at half-way (error)', `${error(half.finishAt - runStart, lastEnd - runStart)} of the run`);
  }
  row('ticks, measured gap between ticks', `${ticks}, ${gap} ms (the plan assumed ${gapMs} ms)`);
  // The run's own line time (claim to settlement, its counters) against the calls' length (the simulator's log): the
  // difference is the wait for the dial slot in the tick and the settlement after the call.
  const heldSeconds = estimates.findLast((estimate) => estimate.lineSeconds !== undefined)?.lineSeconds;
  const settle = (plan.inputs as { settleMs?: { value: number } } | undefined)?.settleMs?.value;
  row(
    'line time per attempt',
    `${heldSeconds === undefined ? '–' : `${heldSeconds.toFixed(1)} s`} claim to settlement, ` +
      `${((lineMinutes * 60) / Math.max(1, calls.length)).toFixed(1)} s of call (the plan assumed ${settle ?? '–'} ms to settle)`,
  );
  console.info('\nengine usage of the run (measured)');
  for (const [name, usage] of Object.entries(runPhase.lambda).sort()) {
    row(
      `  λ ${name}`,
      `${usage.invocations} invocations, ${(usage.billedMs / 1000).toFixed(1)} s billed at ${usage.memoryMb} MB`,
    );
  }
  for (const [keyClass, units] of Object.entries(runPhase.meter.dynamodb).sort()) {
    row(
      `  DynamoDB ${keyClass}`,
      `${units.readUnits.toFixed(1)} RRU, ${units.writeUnits.toFixed(1)} WRU, ${units.requests} requests`,
    );
  }
  for (const [operation, count] of Object.entries(runPhase.meter.requests).sort()) {
    if (!operation.startsWith('dynamodb:')) row(`  ${operation}`, String(count));
  }
  console.info(`\ncost (${engine.rates})`);
  for (const line of engine.lines) row(`  ${line.service}`, `$${line.usd.toFixed(5)} (${line.quantity} ${line.unit})`);
  row('engine cost per 1,000 contacts', `$${((engine.total / Math.max(1, contacts)) * 1000).toFixed(4)}`);
  row('engine cost per 1,000 attempts', `$${((engine.total / Math.max(1, calls.length)) * 1000).toFixed(4)}`);
  row(
    'telephony per 1,000 contacts (uncompressed)',
    `$${((telephony.total / Math.max(1, contacts)) * 1000).toFixed(2)} (${rates.connect.telephonyExample})`,
  );
  const importCost = priceEngine(usageOf(profile, { contacts, attempts: 0, ticks: 0, executions: 0 }), rates);
  const perThousand = (value: number) => (value / Math.max(1, contacts)) * 1000;
  row(
    'import per 1,000 contacts (measured)',
    `$${perThousand(importCost.total).toFixed(4)} (${perThousand(profile.perContact.dynamodbWriteUnits * contacts).toFixed(0)} WRU)`,
  );
  // The run report's own figure: the usage the run's functions booked to it (docs/cost-model.md, "A run's cost").
  const report = RunReportCostSchema.safeParse(await api('GET', `/campaigns/${campaign.id}/reports/${date}`));
  row(
    'run report: engine cost per 1,000 contacts',
    report.success
      ? `$${perThousand(report.data.cost.engine.total).toFixed(4)} (${report.data.cost.engine.byService
          .map((entry) => `${entry.service} $${perThousand(entry.usd).toFixed(4)}`)
          .join(', ')})`
      : `no cost in the report: ${report.error.message.slice(0, 200)}`,
  );
  if (values['write-profile']) {
    writeFileSync('config/usage-profile.json', `${JSON.stringify(profile, null, 2)}\n`);
    console.info('\nwrote config/usage-profile.json');
  }
} finally {
  await cloud.stop();
  await stopAllProcesses();
}

/** Most calls live at once in the call log. */
function peakConcurrency(calls: readonly CallRecord[]): number {
  const edges = calls
    .flatMap((call) => [
      { at: Date.parse(call.startedAt), delta: 1 },
      { at: Date.parse(call.endedAt), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let live = 0;
  let peak = 0;
  for (const edge of edges) {
    live += edge.delta;
    peak = Math.max(peak, live);
  }
  return peak;
}
