import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  planCost,
  priceEngine,
  priceTelephony,
  UsageProfileSchema,
  usageOf,
  ZERO_USAGE,
} from '../../../../functions/core/planning/cost.ts';
import { parseRateTable, RateTableError, ratesFor } from '../../../../functions/core/planning/rates.ts';

const shipped = () => parse(readFileSync('config/aws-rates.yml', 'utf8'));

describe('rate table', () => {
  it('ships valid, dated, with a source for every service of every Region', () => {
    const table = parseRateTable(shipped(), 'config/aws-rates.yml');
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [region, rates] of Object.entries(table.regions)) {
      for (const [service, entry] of Object.entries(rates)) {
        expect(entry.source, `${region}.${service}.source`).toMatch(/^https:\/\/aws\.amazon\.com\//);
      }
    }
    expect(ratesFor(table, 'eu-west-1').dynamodb.writeRequestUnitsPerMillion).toBeGreaterThan(0);
  });

  it('refuses a bad override, naming every field', () => {
    const table = shipped();
    table.regions['eu-west-1'].dynamodb.writeRequestUnitsPerMillion = -1;
    table.regions['eu-west-1'].sns.smsCountry = 'Poland';
    delete table.regions['eu-west-1'].lambda.source;
    table.regions.mars = {};
    expect(() => parseRateTable(table, 'override.yml')).toThrow(RateTableError);
    try {
      parseRateTable(table, 'override.yml');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('regions.eu-west-1.dynamodb.writeRequestUnitsPerMillion');
      expect(message).toContain('regions.eu-west-1.sns.smsCountry');
      expect(message).toContain('regions.eu-west-1.lambda.source');
      expect(message).toContain('regions.mars');
    }
    expect(() => ratesFor(parseRateTable(shipped()), 'ap-south-2')).toThrow(/no prices for ap-south-2/);
  });

  it('prices usage by unit of work, engine and telephony apart', () => {
    const rates = ratesFor(parseRateTable(shipped()), 'us-east-1');
    const profile = {
      measuredAt: '2026-03-02T10:00:00Z',
      source: 'test',
      run: { contacts: 1, attempts: 1, ticks: 1, executions: 1 },
      perAttempt: { ...ZERO_USAGE, dynamodbWriteUnits: 20, lambdaRequests: 3 },
      perTick: { ...ZERO_USAGE, stateTransitions: 3, lambdaGbSeconds: 5 },
      perContact: { ...ZERO_USAGE, dynamodbWriteUnits: 2 },
      perExecution: { ...ZERO_USAGE, snsPublishes: 1 },
    };
    const usage = usageOf(profile, { contacts: 1_000, attempts: 1_750, ticks: 100, executions: 1 });
    expect(usage.dynamodbWriteUnits).toBe(37_000);
    expect(usage.stateTransitions).toBe(300);
    const engine = priceEngine(usage, rates);
    expect(engine.lines.find((line) => line.service === 'DynamoDB writes')?.usd).toBeCloseTo(37_000 * 0.625e-6, 9);
    expect(engine.total).toBeCloseTo(
      37_000 * 0.625e-6 + 5_250 * 0.2e-6 + 500 * 0.0000133334 + 300 * 0.025e-3 + 0.5e-6,
      9,
    );
    const telephony = priceTelephony({ lineMinutes: 1_000, sms: 10 }, rates);
    expect(telephony.total).toBeCloseTo(1_000 * (0.018 + 0.0048) + 10 * 0.00581, 9);
    expect(telephony.rates).toBe('us-east-1 list prices as of 2025-11-10');
  });

  it("prices a plan's predicted work: engine per 1,000 contacts, the calls' minutes apart", () => {
    const rates = ratesFor(parseRateTable(shipped()), 'us-east-1');
    const profile = {
      measuredAt: '2026-03-02T10:00:00Z',
      source: 'test',
      run: { contacts: 1, attempts: 1, ticks: 1, executions: 1 },
      perAttempt: { ...ZERO_USAGE, dynamodbWriteUnits: 10 },
      perTick: { ...ZERO_USAGE },
      perContact: { ...ZERO_USAGE },
      perExecution: { ...ZERO_USAGE },
    };
    const cost = planCost(
      { contacts: 2_000, attempts: 4_000, ticks: 50, executions: 1, lineMinutes: 300 },
      profile,
      rates,
    );
    expect(cost.engine.total).toBeCloseTo(40_000 * 0.625e-6, 9);
    expect(cost.engine.perThousandContacts).toBeCloseTo((40_000 * 0.625e-6) / 2, 9);
    expect(cost.engine.source).toContain('usage measured 2026-03-02');
    expect(cost.telephony.total).toBeCloseTo(300 * (0.018 + 0.0048), 9);
  });

  it('ships a measured usage profile that validates, with every unit of work', () => {
    const profile = UsageProfileSchema.parse(JSON.parse(readFileSync('config/usage-profile.json', 'utf8')));
    expect(profile.run.contacts).toBeGreaterThan(0);
    expect(profile.perAttempt.dynamodbWriteUnits).toBeGreaterThan(0);
    expect(profile.perTick.stateTransitions).toBe(3);
    expect(profile.perExecution.stateTransitions).toBe(4);
  });
});
