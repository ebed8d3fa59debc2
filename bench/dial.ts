/**
 * `npm run bench -- dial [contacts] [cap] [rate] [callSeconds]`: the whole dial path on the local
 * stack (state machine, dispatcher, DynamoDB Local, Connect simulator enforcing the quotas,
 * contact events, call-ended) with every callee answering and holding the line for a fixed time.
 * The contact flow is off: its Lambdas scale apart from the dialer in AWS, while locally one
 * offline process would serve both and the bench would measure that process, not the dialer.
 *
 * Prints, from the simulator's ground-truth call log:
 * - line utilisation = mean concurrent calls in steady state ÷ min(C, R × mean call length);
 * - peak concurrency (must stay ≤ C) and throttles (Connect refusals);
 * - completion time against the lower bound max(N·d / C, N / R);
 * - sustained dials per second.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ContactWriter } from '../functions/adapters/contact-writer.ts';
import { requiredFlowConcurrency } from '../functions/core/policy/pacing.ts';
import { startLocalCloud } from '../local/cloud.ts';
import { startLocalConnect } from '../local/connect.ts';
import { stopAllProcesses } from '../local/processes.ts';
import { functionEnvironment } from '../local/service-definition.ts';
import { localSettings } from '../local/settings.ts';

interface CallRecord {
  startedAt: string;
  endedAt: string;
  attributes: Record<string, string>;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function run(args: readonly string[]): Promise<void> {
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
    report({ calls, cap, rate, runMs: Date.now() - runStart, stats });
  } finally {
    await cloud.stop();
    await stopAllProcesses();
  }
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
