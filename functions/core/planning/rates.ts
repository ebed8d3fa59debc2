/**
 * The rate table (config/aws-rates.yml): list prices per Region, dated and sourced, validated here so that a
 * mistyped override fails with the path of the field, never with a silent zero.
 */
import { z } from 'zod';

const price = z.number().min(0).max(1_000);
const source = z.string().min(1).max(500);

export const RegionRatesSchema = z
  .object({
    lambda: z.object({ requestsPerMillion: price, gbSecondArm: price, source }).strict(),
    dynamodb: z.object({ readRequestUnitsPerMillion: price, writeRequestUnitsPerMillion: price, source }).strict(),
    stepFunctions: z.object({ standardTransitionsPerThousand: price, source }).strict(),
    sns: z
      .object({
        publishesPerMillion: price,
        smsPerMessage: price,
        smsCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, e.g. PL'),
        source,
      })
      .strict(),
    s3: z.object({ putPerThousand: price, getPerThousand: price, source }).strict(),
    connect: z
      .object({
        voiceUsagePerMinute: price,
        telephonyPerMinute: price,
        telephonyExample: z.string().min(1).max(200),
        source,
      })
      .strict(),
  })
  .strict();
export type RegionRates = z.infer<typeof RegionRatesSchema>;

export const RateTableSchema = z
  .object({
    asOf: z.iso.date(),
    currency: z.literal('USD'),
    regions: z
      .record(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS Region such as eu-west-1'), RegionRatesSchema)
      .refine((regions) => Object.keys(regions).length > 0, { message: 'at least one Region' }),
  })
  .strict();
export type RateTable = z.infer<typeof RateTableSchema>;

export class RateTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RateTableError';
  }
}

/** Validates a rate table; throws a RateTableError naming every bad field by its path. */
export function parseRateTable(input: unknown, origin = 'rate table'): RateTable {
  const result = RateTableSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new RateTableError(`${origin}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The rates of `region`, with the table's date; throws when the table has none for it. */
export function ratesFor(table: RateTable, region: string): RegionRates & { region: string; asOf: string } {
  const rates = table.regions[region];
  if (rates === undefined) {
    throw new RateTableError(
      `the rate table has no prices for ${region} (it has ${Object.keys(table.regions).join(', ')}); add them or override`,
    );
  }
  return { ...rates, region, asOf: table.asOf };
}
