import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRateTable, ratesFor } from '../../../../functions/core/planning/rates.ts';
import {
  costLine,
  ENGINE_SERVICES,
  functionCounterName,
  MAX_REPORTED_FUNCTIONS,
  priceRun,
  type RunUsage,
  runCostOf,
  runUsageOf,
  usageCounters,
} from '../../../../functions/core/report/run-cost.ts';

const rates = ratesFor(parseRateTable(parse(readFileSync('config/aws-rates.yml', 'utf8'))), 'eu-west-1');

const amount = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 1e6 }));
const usageArbitrary: fc.Arbitrary<RunUsage> = fc.record({
  dynamodbReadUnits: amount,
  dynamodbWriteUnits: amount,
  stateTransitions: amount,
  snsPublishes: amount,
  sms: amount,
  s3Puts: amount,
  s3Gets: amount,
  lambda: fc.constant([]),
});
const callsArbitrary = fc.record({ talkSeconds: amount, sms: amount });
const add = (a: RunUsage, b: RunUsage): RunUsage => ({
  dynamodbReadUnits: a.dynamodbReadUnits + b.dynamodbReadUnits,
  dynamodbWriteUnits: a.dynamodbWriteUnits + b.dynamodbWriteUnits,
  stateTransitions: a.stateTransitions + b.stateTransitions,
  snsPublishes: a.snsPublishes + b.snsPublishes,
  sms: a.sms + b.sms,
  s3Puts: a.s3Puts + b.s3Puts,
  s3Gets: a.s3Gets + b.s3Gets,
  lambda: [],
});
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

describe('pricing a run', () => {
  it('is additive and monotone in usage: two halves cost what the whole does, more never costs less', () => {
    fc.assert(
      fc.property(usageArbitrary, usageArbitrary, callsArbitrary, (a, b, calls) => {
        const whole = priceRun(add(a, b), calls, rates).engine.total;
        const parts = priceRun(a, calls, rates).engine.total + priceRun(b, calls, rates).engine.total;
        expect(near(whole, parts)).toBe(true);
        expect(whole + 1e-9).toBeGreaterThanOrEqual(priceRun(a, calls, rates).engine.total);
      }),
    );
  });

  it('keeps the engine and the calls apart, every service listed, each service the sum of its lines', () => {
    fc.assert(
      fc.property(usageArbitrary, callsArbitrary, (usage, calls) => {
        const cost = priceRun(usage, calls, rates);
        expect(cost.engine.byService.map((entry) => entry.service)).toEqual([...ENGINE_SERVICES]);
        for (const entry of cost.engine.byService) {
          expect(entry.usd).toBeGreaterThanOrEqual(0);
          expect(
            near(
              entry.usd,
              entry.lines.reduce((sum, line) => sum + line.usd, 0),
            ),
          ).toBe(true);
        }
        const services = cost.engine.byService.reduce((sum, entry) => sum + entry.usd, 0);
        expect(Math.abs(services - cost.engine.total)).toBeLessThan(1e-6);
        // Telephony depends only on the calls: usage never moves it.
        expect(cost.telephony.total).toBe(priceRun({ ...usage, dynamodbWriteUnits: 0 }, calls, rates).telephony.total);
      }),
    );
  });

  it('prices a known run by the table', () => {
    const cost = runCostOf(
      {
        u_ddb_r: 1_000_000,
        u_ddb_w: 1_000_000,
        u_sfn: 1_000,
        u_sns: 2,
        u_sms: 3,
        u_s3_put: 1_000,
        u_s3_get: 1_000,
        u_fn_dispatch_n: 10,
        u_fn_dispatch_ms: 20_000,
        u_fn_dispatch_mbms: 20_000 * 1024,
        talkSeconds: 600,
        followUpsSent: 3,
      },
      rates,
    );
    const service = (name: string) => cost.engine.byService.find((entry) => entry.service === name)?.usd;
    expect(service('DynamoDB')).toBeCloseTo(0.1415 + 0.7068, 6);
    expect(service('Step Functions')).toBeCloseTo(0.025, 6);
    expect(service('S3')).toBeCloseTo(0.005 + 0.0004, 6);
    expect(service('Lambda')).toBeCloseTo((10 * 0.2) / 1e6 + 20 * 0.0000133334, 8);
    expect(cost.engine.lambdaFunctions).toEqual([
      expect.objectContaining({ name: 'dispatch', invocations: 10, billedMs: 20_000, gbSeconds: 20 }),
    ]);
    // 10 connected minutes at voice usage + telephony, and 3 SMS.
    expect(cost.telephony.total).toBeCloseTo(10 * (0.018 + 0.0396) + 3 * 0.0404, 6);
    expect(cost.rates).toBe('eu-west-1 list prices as of 2025-11-10');
    expect(costLine(cost)).toMatch(
      /^Engine cost \$0\.88 \(DynamoDB \$0\.85, Lambda \$0\.0003, .*telephony and SMS \$0\.70/,
    );
  });
});

describe('usage counters', () => {
  it('turn an invocation into counters and back, shared between runs', () => {
    const counters = usageCounters(
      {
        dynamodbReadUnits: 3,
        dynamodbWriteUnits: 6,
        stateTransitions: 3,
        requests: {
          'sns:Publish': 2,
          'sns:SMS': 1,
          's3:PutObject': 4,
          's3:GetObject': 2,
          'connect:StartOutboundVoiceContact': 1,
        },
        lambda: { functionName: 'campaign-engine-dev-callEnded', billedMs: 15, memoryMb: 512 },
      },
      1 / 3,
    );
    expect(counters).toEqual({
      u_ddb_r: 1,
      u_ddb_w: 2,
      u_sfn: 1,
      u_sns: 1 / 3,
      u_sms: 1 / 3,
      u_s3_put: 4 / 3,
      u_s3_get: 2 / 3,
      u_fn_callEnded_n: 1 / 3,
      u_fn_callEnded_ms: 5,
      u_fn_callEnded_mbms: (15 * 512) / 3,
    });
    const usage = runUsageOf({ ...counters, n_PENDING: 4, talkSeconds: 30 });
    expect(usage.dynamodbWriteUnits).toBe(2);
    expect(usage.lambda[0]?.name).toBe('callEnded');
  });

  it('name a function by the last part of its Lambda name, letters and digits only', () => {
    expect(functionCounterName('campaign-engine-prod-runReport')).toBe('runReport');
    expect(functionCounterName('weird_name!')).toBe('weirdname');
    expect(functionCounterName('trailing-')).toBe('other');
  });

  it('list at most a bounded number of functions, the rest as "other"', () => {
    const counters: Record<string, number> = {};
    for (let index = 0; index < MAX_REPORTED_FUNCTIONS + 10; index++) counters[`u_fn_f${index}_n`] = 1;
    const usage = runUsageOf(counters);
    expect(usage.lambda).toHaveLength(MAX_REPORTED_FUNCTIONS);
    expect(usage.lambda.at(-1)).toMatchObject({ name: 'other', invocations: 11 });
  });

  it('ignore negative or unknown counters', () => {
    const usage = runUsageOf({ u_ddb_w: -5, u_whatever: 9, u_fn_x_y: 3 });
    expect(usage.dynamodbWriteUnits).toBe(0);
    expect(usage.lambda).toEqual([]);
  });
});
