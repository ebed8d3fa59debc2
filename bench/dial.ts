/**
 * `npm run bench -- dial [contacts] [cap] [rate] [callSeconds] [--faults <spec>]`: the whole dial path on the
 * local stack (state machine, dispatcher, DynamoDB Local behind the fault proxy, Connect simulator enforcing the
 * quotas, contact events, call-ended) with every callee answering and holding the line for a fixed time.
 * `--faults conflicts=5-20ms,throttle=0.01` turns on DynamoDB's transaction-conflict rule and throttling
 * (docs/local-cloud.md).
 * The contact flow is off: its Lambdas scale apart from the dialer in AWS, while locally one
 * offline process would serve both and the bench would measure that process, not the dialer.
 *
 * Prints, from the simulator's ground-truth call log:
 * - line utilisation = mean concurrent calls in steady state ÷ min(C, R × mean call length);
 * - peak concurrency (must stay ≤ C) and throttles (Connect refusals);
 * - completion time against the lower bound max(N·d / C, N / R);
 * - sustained dials per second;
 * - the CPU each process spent per dial: the functions (serverless-offline runs them in its process: the engine's
 *   own work, with offline's HTTP handling), DynamoDB Local, and this process (the Connect simulator, the
 *   Step Functions endpoint, the fault proxy);
 * - writes and WCU per dial per kind of key, from DynamoDB's ReturnConsumedCapacity (the proxy's capacity meter),
 *   with the hottest item and partition, and what they would take at 140 dials/s (docs/data-model.md, "Hot keys");
 * - every contact final, the faults injected, and DynamoDB Local's own transaction ceiling beside the figures.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse } from 'yaml';
import { ContactWriter } from '../functions/adapters/contact-writer.ts';
import { RunCounters } from '../functions/adapters/run-counters.ts';
import { priceEngine, usageOf } from '../functions/core/planning/cost.ts';
import { parseRateTable, ratesFor } from '../functions/core/planning/rates.ts';
import { lineShardCount } from '../functions/core/policy/line-shards.ts';
import { requiredFlowConcurrency } from '../functions/core/policy/pacing.ts';
import { FINAL_CONTACT_STATUSES } from '../functions/core/policy/retry-policy.ts';
import { startLocalCloud } from '../local/cloud.ts';
import { startLocalConnect } from '../local/connect.ts';
import type { CapacityReport } from '../local/dynamodb-capacity-meter.ts';
import { stopAllProcesses } from '../local/processes.ts';
import { functionEnvironment } from '../local/service-definition.ts';
import { localSettings } from '../local/settings.ts';
import { functionMemory, measureLog, usageProfile } from '../tools/rehearsal/measure.ts';
import { measureTransactionCeiling } from './dynamodb-ceiling.ts';

interface CallRecord {
  startedAt: string;
  endedAt: string;
  attributes: Record<string, string>;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function run(argv: readonly string[]): Promise<void> {
  const faultsAt = argv.indexOf('--faults');
  const faults = faultsAt >= 0 ? argv[faultsAt + 1] : undefined;
  if (faultsAt >= 0 && faults === undefined)
    throw new Error('--faults needs a setting, e.g. conflicts=5-20ms,throttle=0.01');
  // Without --faults (index -1) nothing is dropped: `faultsAt + 1` would otherwise drop the first argument.
  const args = faultsAt < 0 ? [...argv] : argv.filter((_, index) => index !== faultsAt && index !== faultsAt + 1);
  const contacts = Number(args[0] ?? 9_000);
  const cap = Number(args[1] ?? 600);
  const rate = Number(args[2] ?? 150);
  const callSeconds = Number(args[3] ?? 3);
  const stateDirectory = '.local/bench-dial';
  rmSync(stateDirectory, { recursive: true, force: true });
  Object.assign(process.env, {
    LOCAL_TICK_SECONDS: process.env.LOCAL_TICK_SECONDS ?? '2',
    LOCAL_MAX_CALL_SECONDS: String(Math.max(60, callSeconds * 10)),
    LOCAL_MAX_CONCURRENT_CALLS: String(cap),
    LOCAL_DIALS_PER_SECOND: String(rate),
    LOCAL_DIAL_BURST: String(rate),
    LOCAL_FLOW_FUNCTION_CONCURRENCY: String(requiredFlowConcurrency({ maxConcurrentCalls: cap })),
    LOCAL_LOG_LEVEL: 'WARN',
    ...(faults !== undefined && { LOCAL_DYNAMODB_FAULTS: faults }),
  });
  const settings = localSettings({
    ...process.env,
    LOCAL_HTTP_PORT: '23000',
    LOCAL_LAMBDA_PORT: '23002',
    LOCAL_DYNAMODB_PORT: '28000',
    LOCAL_S3_PORT: '24569',
    LOCAL_SFN_PORT: '28083',
    LOCAL_SNS_PORT: '28084',
    LOCAL_CONNECT_PORT: '28085',
    LOCAL_STATE_DIR: stateDirectory,
    LOCAL_DEMO: '0',
  });
  console.info(
    `dial bench: N=${contacts} contacts, C=${cap} lines, R=${rate} dials/s, d=${callSeconds}s calls; starting the local stack…`,
  );
  const cloud = await startLocalCloud({
    settings,
    log: () => undefined,
    startConnect: (context) =>
      startLocalConnect(
        {
          ...context,
          contactFlow: false,
          scenario: {
            seed: 1,
            timeScale: 1,
            outcomes: { ANSWERED: 1 },
            ringMs: 0,
            talkMs: callSeconds * 1000,
            hangUpProbability: 0,
          },
        },
        () => undefined,
      ),
  });
  try {
    const campaignId = 'bench-dial';
    const date = new Date().toISOString().slice(0, 10);
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const put = await fetch(`${cloud.endpoints.api}/campaigns/${campaignId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: campaignId,
        name: 'Dial benchmark',
        defaultCountry: 'PL',
        timeZone: 'Europe/Warsaw',
        callerId: '+48221234567',
        callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '00:00', end: '24:00' },
        retryPolicy: { maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} },
        script: {
          greeting: 'Hello.',
          questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }],
          closing: 'Bye.',
        },
      }),
    });
    if (!put.ok) throw new Error(`campaign refused: ${await put.text()}`);
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: cloud.endpoints.dynamodb, region: settings.LOCAL_REGION, credentials }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const writer = new ContactWriter(String(functionEnvironment(cloud.service, 'dispatch').TABLE_NAME), 1, documents);
    const now = new Date();
    const phones = Array.from({ length: contacts }, (_, index) => `+4860${String(1_000_000 + index).padStart(7, '0')}`);
    await writer.write(
      campaignId,
      date,
      phones.map((phone, line) => ({
        phone,
        timeZone: 'Europe/Warsaw',
        attributes: {},
        listId: 'bench',
        line,
        dueAt: now,
      })),
    );
    const started = await fetch(`${cloud.endpoints.api}/campaigns/${campaignId}/runs`, {
      method: 'POST',
      body: JSON.stringify({ date }),
    });
    const { executionArn } = (await started.json()) as { executionArn: string };
    const sfn = new SFNClient({ endpoint: cloud.endpoints.sfn, region: settings.LOCAL_REGION, credentials });
    const meter = `${cloud.endpoints.dynamodb}/__faults/capacity`;
    await fetch(meter, { method: 'PUT' });
    const offlineLog = join(cloud.settings.LOCAL_STATE_DIR, 'offline.log');
    const logFrom = statSync(offlineLog).size;
    const cpuBefore = processCpu();
    const runStart = Date.now();
    for (;;) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') {
        if (execution.status !== 'SUCCEEDED') throw new Error(`run ${execution.status}: ${execution.cause}`);
        break;
      }
      await sleep(500);
    }
    const stats = (await (await fetch(`${cloud.endpoints.connect}/_sim/stats`)).json()) as Record<string, number>;
    const calls = readFileSync(join(cloud.settings.LOCAL_STATE_DIR, 'calls.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as CallRecord)
      .filter((call) => call.attributes.campaignId === campaignId);
    const runMs = Date.now() - runStart;
    const cpu = cpuSince(cpuBefore);
    const capacity = (await (await fetch(meter, { method: 'DELETE' })).json()) as CapacityReport;
    const injected = (await (await fetch(`${cloud.endpoints.dynamodb}/__faults`)).json()) as {
      counts: Record<string, number>;
    };
    const table = String(functionEnvironment(cloud.service, 'dispatch').TABLE_NAME);
    const counters = await new RunCounters(table, documents).totals(campaignId, date);
    const notFinal = contacts - FINAL_CONTACT_STATUSES.reduce((sum, status) => sum + (counters[`n_${status}`] ?? 0), 0);
    report({ calls, cap, rate, runMs, stats });
    reportEngine({ dials: calls.length, runMs, cpu, capacity, cap, rate });
    const line = (label: string, value: string) => console.info(`${label.padEnd(34)} ${value}`);
    line('contacts not final at the end', String(notFinal));
    line(
      'DynamoDB faults injected',
      `${injected.counts.conflicts ?? 0} conflicts, ${injected.counts.throttles ?? 0} throttles (${faults ?? 'off'})`,
    );
    await reportCost({ cloud, logFrom, offlineLog, campaignId, date, contacts, attempts: calls.length });
    const ceiling = await measureTransactionCeiling({
      client: new DynamoDBClient({
        endpoint: cloud.endpoints.dynamodbLocal,
        region: settings.LOCAL_REGION,
        credentials,
      }),
      tableName: table,
      clients: 8,
      seconds: 5,
      warmupSeconds: 1,
    });
    line('DynamoDB Local ceiling', `${ceiling.perSecond.toFixed(0)} transactions/s (8 clients, alone, no proxy)`);
    if (notFinal !== 0) process.exitCode = 1;
  } finally {
    await cloud.stop();
    await stopAllProcesses();
  }
}

/**
 * The engine's AWS cost of the run, measured: Lambda billed durations from serverless-offline's log and the usage
 * meter's lines (consumed capacity per key class, requests per service) written during the run
 * (tools/rehearsal/measure.ts), priced with config/aws-rates.yml for BENCH_REGION (default eu-west-1). The
 * simulator runs no contact flow here: the flow Lambdas' share is the rehearsal's (docs/cost-model.md).
 */
async function reportCost(input: {
  cloud: { endpoints: { api: string } };
  logFrom: number;
  offlineLog: string;
  campaignId: string;
  date: string;
  contacts: number;
  attempts: number;
}): Promise<void> {
  // Each process writes its usage at most every 5 s, at its next request: wait, then make one.
  await sleep(6_000);
  await fetch(`${input.cloud.endpoints.api}/campaigns/${input.campaignId}/runs/${input.date}`);
  await sleep(500);
  const log = readFileSync(input.offlineLog, 'utf8');
  const measured = measureLog(log, functionMemory(readFileSync('serverless.yml', 'utf8')), input.logFrom);
  const ticks = measured.lambda.dispatch?.invocations ?? 1;
  const run = { contacts: input.contacts, attempts: Math.max(1, input.attempts), ticks, executions: 1 };
  const profile = usageProfile({
    importPhase: { lambda: {}, meter: { dynamodb: {}, requests: {} } },
    runPhase: measured,
    run,
    measuredAt: new Date().toISOString(),
    source: 'npm run bench -- dial',
  });
  const region = process.env.BENCH_REGION ?? 'eu-west-1';
  const rates = ratesFor(parseRateTable(parse(readFileSync('config/aws-rates.yml', 'utf8'))), region);
  const cost = priceEngine(usageOf(profile, run), rates);
  const line = (label: string, value: string) => console.info(`${label.padEnd(34)} ${value}`);
  console.info(`\nengine cost of the run, measured (${cost.rates}; no contact flow run)`);
  for (const entry of cost.lines) {
    line(
      `  ${entry.service}`,
      `$${((entry.usd / input.contacts) * 1000).toFixed(5)} per 1,000 contacts (${entry.quantity} ${entry.unit})`,
    );
  }
  line('engine cost per 1,000 contacts', `$${((cost.total / input.contacts) * 1000).toFixed(4)}`);
}

function report(input: {
  calls: CallRecord[];
  cap: number;
  rate: number;
  runMs: number;
  stats: Record<string, number>;
}) {
  const { calls, cap, rate } = input;
  const n = calls.length;
  const starts = calls.map((call) => Date.parse(call.startedAt)).sort((a, b) => a - b);
  const ends = calls.map((call) => Date.parse(call.endedAt));
  const first = starts[0] ?? 0;
  const last = Math.max(...ends);
  const meanCall =
    calls.reduce((sum, call) => sum + Date.parse(call.endedAt) - Date.parse(call.startedAt), 0) / n / 1000;
  const edges = calls
    .flatMap((call) => [
      { at: Date.parse(call.startedAt), delta: 1 },
      { at: Date.parse(call.endedAt), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  // Steady state: from the time the first full line load could be reached to the last start.
  const target = Math.min(cap, rate * meanCall);
  const rampMs = (target / rate) * 1000;
  const steadyFrom = first + rampMs;
  const steadyTo = starts[starts.length - 1] ?? last;
  let live = 0;
  let peak = 0;
  let area = 0;
  let previous = first;
  for (const edge of edges) {
    const from = Math.max(previous, steadyFrom);
    const to = Math.min(edge.at, steadyTo);
    if (to > from) area += live * (to - from);
    live += edge.delta;
    peak = Math.max(peak, live);
    previous = edge.at;
  }
  const meanConcurrent = area / Math.max(1, steadyTo - steadyFrom);
  const completionSeconds = (last - first) / 1000;
  const bound = Math.max((n * meanCall) / cap, n / rate);
  const sustained = n / ((steadyTo - first) / 1000);
  const line = (label: string, value: string) => console.info(`${label.padEnd(34)} ${value}`);
  console.info('\nresults');
  line('calls', String(n));
  line('mean call length', `${meanCall.toFixed(2)} s`);
  line(
    'line utilisation (steady state)',
    `${((meanConcurrent / target) * 100).toFixed(1)} %  (mean ${meanConcurrent.toFixed(1)} of ${target.toFixed(1)} lines)`,
  );
  line('peak concurrency', `${peak} (cap ${cap})`);
  line('throttled / over-cap refusals', `${input.stats.throttled ?? 0} / ${input.stats.limitExceeded ?? 0}`);
  line(
    'completion (first dial → last end)',
    `${completionSeconds.toFixed(1)} s, bound ${bound.toFixed(1)} s, ratio ${(completionSeconds / bound).toFixed(3)}`,
  );
  line('sustained dials/s', `${sustained.toFixed(1)} (quota ${rate})`);
  line('run wall time', `${(input.runMs / 1000).toFixed(1)} s`);
}

/** CPU seconds (user + system) of this process and of each of its descendants, by what they run. */
function processCpu(): Map<string, number> {
  const ticks = 100; // USER_HZ on Linux
  const stats = new Map<number, { parent: number; seconds: number; command: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        parent: Number(fields[1]),
        seconds: (Number(fields[11]) + Number(fields[12])) / ticks,
        command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  const result = new Map<string, number>();
  const visit = (pid: number, depth: number) => {
    const stat = stats.get(pid);
    if (stat === undefined) return;
    const name =
      depth === 0
        ? 'this process (simulator, Step Functions, proxy)'
        : stat.command.includes('DynamoDBLocal.jar')
          ? 'DynamoDB Local'
          : stat.command.includes('offline')
            ? 'functions (serverless-offline)'
            : undefined;
    if (name !== undefined) result.set(name, (result.get(name) ?? 0) + stat.seconds);
    for (const [child, other] of stats) if (other.parent === pid) visit(child, depth + 1);
  };
  visit(process.pid, 0);
  return result;
}

function cpuSince(before: Map<string, number>): Map<string, number> {
  const after = processCpu();
  return new Map([...after].map(([name, seconds]) => [name, seconds - (before.get(name) ?? 0)]));
}

/** The engine's own figures: CPU per dial per process, and DynamoDB load per kind of key (measured, then at 140/s). */
function reportEngine(input: {
  dials: number;
  runMs: number;
  cpu: Map<string, number>;
  capacity: CapacityReport;
  cap: number;
  rate: number;
}) {
  const { dials, capacity } = input;
  const line = (label: string, value: string) => console.info(`${label.padEnd(34)} ${value}`);
  console.info('\nCPU per dial');
  for (const [name, seconds] of input.cpu) line(name, `${((seconds * 1000) / Math.max(1, dials)).toFixed(2)} ms`);
  const measuredRate = dials / (input.runMs / 1000);
  // At 140 dials/s the engine spreads lines over this many shards, a run over 32 buckets.
  const shardsAt140 = lineShardCount({ maxConcurrentCalls: Math.max(input.cap, 10_000), dialsPerSecond: 140 });
  const spreadAt140: Record<string, number> = {
    'line shard': shardsAt140,
    lease: shardsAt140,
    'run counters': 32,
    contact: 32,
    answer: 32,
    'follow-up': 32,
    'call map': Number.POSITIVE_INFINITY,
  };
  console.info(
    `\nDynamoDB writes by kind of key (ReturnConsumedCapacity; ${capacity.tableWcu.toFixed(0)} table WCU, ` +
      `index ${JSON.stringify(capacity.indexWcu)}, ${measuredRate.toFixed(1)} dials/s measured)`,
  );
  console.info(
    `${'key'.padEnd(14)} ${'writes/dial'.padStart(11)} ${'WCU/dial'.padStart(9)} ${'items'.padStart(7)} ` +
      `${'hottest item writes/s'.padStart(22)} ${'hottest partition WCU/s'.padStart(24)}   (measured → at 140 dials/s)`,
  );
  for (const [name, metered] of Object.entries(capacity.classes).sort((a, b) => b[1].wcu - a[1].wcu)) {
    const seconds = input.runMs / 1000;
    const itemRate = metered.hottestItemWrites / seconds;
    const partitionRate = metered.hottestPartitionWcu / seconds;
    const spread = spreadAt140[name];
    // Items spread over a fixed number of shards take their share of 140 dials/s; per-tick items keep their rate.
    const at140 = (perDialTotal: number, measured: number) =>
      spread === undefined
        ? measured
        : spread === Number.POSITIVE_INFINITY
          ? measured / Math.max(1, measuredRate)
          : (perDialTotal * 140) / spread;
    console.info(
      `${name.padEnd(14)} ${(metered.writes / dials).toFixed(2).padStart(11)} ${(metered.wcu / dials).toFixed(2).padStart(9)} ` +
        `${String(metered.items).padStart(7)} ${`${itemRate.toFixed(1)} → ${at140(metered.writes / dials, itemRate).toFixed(1)}`.padStart(22)} ` +
        `${`${partitionRate.toFixed(1)} → ${at140(metered.wcu / dials, partitionRate).toFixed(1)}`.padStart(24)}`,
    );
  }
  const bucketKinds = ['contact', 'answer', 'follow-up', 'run counters'];
  const bucketWcuPerDial = bucketKinds.reduce((sum, kind) => sum + (capacity.classes[kind]?.wcu ?? 0), 0) / dials;
  console.info(
    `${'run bucket'.padEnd(14)} ${''.padStart(11)} ${bucketWcuPerDial.toFixed(2).padStart(9)} (a partition of contacts, answers, follow-ups and counters: ${((bucketWcuPerDial * 140) / 32).toFixed(0)} WCU/s at 140 dials/s)`,
  );
  // As DynamoDB Local reports them: a transaction's index arm doubled (2 units where AWS bills 1, docs/cost-model.md).
  const due = (capacity.indexWcu.gsi1 ?? 0) / dials;
  const phone = (capacity.indexWcu.gsi2 ?? 0) / dials;
  console.info(
    `${'due index'.padEnd(14)} ${''.padStart(11)} ${due.toFixed(2).padStart(9)} (one partition per run: ${(due * 140).toFixed(0)} WCU/s at 140 dials/s; DynamoDB Local doubles a transaction's index units)`,
  );
  console.info(
    `${'phone index'.padEnd(14)} ${''.padStart(11)} ${phone.toFixed(2).padStart(9)} (a partition per number: spread, never hot)`,
  );
}
