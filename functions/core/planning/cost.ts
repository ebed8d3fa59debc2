/**
 * What a run costs: the engine's own AWS usage, measured per unit of work (config/usage-profile.json, written by
 * `npm run rehearse`), scaled to the run and priced with the rate table; and, apart, Connect's telephony and SMS,
 * which dwarf it.
 */
import { z } from 'zod';
import type { RegionRates } from './rates.ts';

const amount = z.number().min(0).max(1e9);

/** AWS usage of one unit of work (an attempt, a tick, a contact, an execution). */
export const UsageSchema = z
  .object({
    dynamodbReadUnits: amount,
    dynamodbWriteUnits: amount,
    lambdaRequests: amount,
    lambdaGbSeconds: amount,
    stateTransitions: amount,
    snsPublishes: amount,
    s3Puts: amount,
    s3Gets: amount,
  })
  .strict();
export type Usage = z.infer<typeof UsageSchema>;

export const ZERO_USAGE: Usage = {
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  stateTransitions: 0,
  snsPublishes: 0,
  s3Puts: 0,
  s3Gets: 0,
};

/** The engine's usage per unit of work, measured on one rehearsed run. */
export const UsageProfileSchema = z
  .object({
    measuredAt: z.iso.datetime({ offset: true }),
    /** How it was measured (command, stack, what counted what). */
    source: z.string().min(1).max(2_000),
    run: z
      .object({
        contacts: z.number().int().min(1),
        attempts: z.number().int().min(1),
        ticks: z.number().int().min(1),
        executions: z.number().int().min(1),
      })
      .strict(),
    perAttempt: UsageSchema,
    perTick: UsageSchema,
    perContact: UsageSchema,
    perExecution: UsageSchema,
  })
  .strict();
export type UsageProfile = z.infer<typeof UsageProfileSchema>;

/** The work of a run, as a plan predicts it or a finished run counted it. */
export interface RunWork {
  contacts: number;
  attempts: number;
  ticks: number;
  executions: number;
}

/** The engine's usage for `work`, by the profile. */
export function usageOf(profile: UsageProfile, work: RunWork): Usage {
  const usage = { ...ZERO_USAGE };
  const parts: Array<[Usage, number]> = [
    [profile.perAttempt, work.attempts],
    [profile.perTick, work.ticks],
    [profile.perContact, work.contacts],
    [profile.perExecution, work.executions],
  ];
  for (const key of Object.keys(ZERO_USAGE) as Array<keyof Usage>) {
    usage[key] = parts.reduce((sum, [per, count]) => sum + per[key] * count, 0);
  }
  return usage;
}

export interface CostLine {
  service: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface Cost {
  total: number;
  lines: CostLine[];
  /** Where the rates came from. */
  rates: string;
}

/** The engine's own AWS bill for `usage`. */
export function priceEngine(usage: Usage, rates: RegionRates & { region: string; asOf: string }): Cost {
  const lines: CostLine[] = [
    line(
      'DynamoDB reads',
      usage.dynamodbReadUnits,
      'read request units',
      rates.dynamodb.readRequestUnitsPerMillion / 1e6,
    ),
    line(
      'DynamoDB writes',
      usage.dynamodbWriteUnits,
      'write request units',
      rates.dynamodb.writeRequestUnitsPerMillion / 1e6,
    ),
    line('Lambda requests', usage.lambdaRequests, 'invocations', rates.lambda.requestsPerMillion / 1e6),
    line('Lambda compute', usage.lambdaGbSeconds, 'GB-seconds (arm64)', rates.lambda.gbSecondArm),
    line(
      'Step Functions',
      usage.stateTransitions,
      'state transitions',
      rates.stepFunctions.standardTransitionsPerThousand / 1e3,
    ),
    line('SNS', usage.snsPublishes, 'publishes', rates.sns.publishesPerMillion / 1e6),
    line('S3 writes', usage.s3Puts, 'PUT/POST/LIST requests', rates.s3.putPerThousand / 1e3),
    line('S3 reads', usage.s3Gets, 'GET requests', rates.s3.getPerThousand / 1e3),
  ];
  return { total: sum(lines), lines, rates: `${rates.region} list prices as of ${rates.asOf}` };
}

/** Connect's voice usage and telephony on the calls' line minutes, and SMS: what the calls themselves cost. */
export function priceTelephony(
  calls: { lineMinutes: number; sms: number },
  rates: RegionRates & { region: string; asOf: string },
): Cost {
  const lines: CostLine[] = [
    line('Connect voice usage', calls.lineMinutes, 'minutes', rates.connect.voiceUsagePerMinute),
    line(
      `Connect telephony (${rates.connect.telephonyExample})`,
      calls.lineMinutes,
      'minutes',
      rates.connect.telephonyPerMinute,
    ),
    line(`SMS (${rates.sns.smsCountry})`, calls.sms, 'messages', rates.sns.smsPerMessage),
  ];
  return { total: sum(lines), lines, rates: `${rates.region} list prices as of ${rates.asOf}` };
}

function line(service: string, quantity: number, unit: string, price: number): CostLine {
  return { service, quantity: Math.round(quantity * 1000) / 1000, unit, usd: quantity * price };
}

function sum(lines: readonly CostLine[]): number {
  return lines.reduce((total, entry) => total + entry.usd, 0);
}

/** A plan's cost, as `campaign plan` shows it: the engine's and the calls' apart. */
export type PlanCost = {
  engine: { total: number; perThousandContacts: number; source: string; lines: CostLine[] };
  telephony: { total: number; source: string; lines: CostLine[] };
};

/**
 * Prices a plan's predicted work: the engine's usage from the measured profile (per attempt, tick, contact and
 * execution), the calls' from their predicted line minutes. SMS are left at zero: a plan does not predict follow-ups.
 */
export function planCost(
  prediction: { contacts: number; attempts: number; ticks: number; executions: number; lineMinutes: number },
  profile: UsageProfile,
  rates: RegionRates & { region: string; asOf: string },
): PlanCost {
  const engine = priceEngine(usageOf(profile, prediction), rates);
  const telephony = priceTelephony({ lineMinutes: prediction.lineMinutes, sms: 0 }, rates);
  return {
    engine: {
      total: engine.total,
      perThousandContacts: (engine.total / Math.max(1, prediction.contacts)) * 1000,
      source: `usage measured ${profile.measuredAt.slice(0, 10)} (config/usage-profile.json), ${engine.rates}`,
      lines: engine.lines,
    },
    telephony: { total: telephony.total, source: telephony.rates, lines: telephony.lines },
  };
}
