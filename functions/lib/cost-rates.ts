/**
 * The prices the run report puts on a stage's measured usage (docs/cost-model.md, "A run's cost"): the dated,
 * sourced rate table (config/aws-rates.yml) for the stage's Region, with the stage's choices of
 * config/stage-rates.yml (another Region's table, single prices overridden). Both files are inlined into the bundle
 * and validated at cold start: a bad entry fails naming its path, never a report.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import rateTableFile from '../../config/aws-rates.yml?raw';
import stageRatesFile from '../../config/stage-rates.yml?raw';
import { parseRateTable, RateTableError, RegionRatesSchema, ratesFor } from '../core/planning/rates.ts';
import type { RunRates } from '../core/report/run-cost.ts';
import { ConfigurationError } from './config.ts';

const services = RegionRatesSchema.shape;
const SERVICES = ['lambda', 'dynamodb', 'stepFunctions', 'sns', 's3', 'connect'] as const satisfies ReadonlyArray<
  keyof typeof services
>;

/** One stage's choices: which Region's prices, which single prices replaced and on what authority. */
export const StageRatesSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS Region such as eu-west-1')
      .optional(),
    overrides: z
      .object({
        source: z.string().min(1).max(500),
        lambda: services.lambda.partial().optional(),
        dynamodb: services.dynamodb.partial().optional(),
        stepFunctions: services.stepFunctions.partial().optional(),
        sns: services.sns.partial().optional(),
        s3: services.s3.partial().optional(),
        connect: services.connect.partial().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const StageRatesFileSchema = z
  .object({ stages: z.record(z.string().regex(/^[a-z0-9-]{1,32}$/, 'a stage name'), StageRatesSchema).default({}) })
  .strict();

function parseYaml(text: string, source: string): unknown {
  try {
    return parse(text) ?? {};
  } catch (error) {
    throw new ConfigurationError(`${source}: not YAML: ${(error as Error).message}`);
  }
}

function problemsOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * The rates of `stage` deployed in `region`: the table's prices for the stage's Region (or the one its entry names),
 * each override applied, validated again as a whole. Throws a ConfigurationError naming the file and the field.
 */
export function ratesOfStage(
  stage: string,
  region: string,
  files: { rateTable: string; stageRates: string } = { rateTable: rateTableFile, stageRates: stageRatesFile },
): RunRates {
  let table: ReturnType<typeof parseRateTable>;
  try {
    table = parseRateTable(parseYaml(files.rateTable, 'config/aws-rates.yml'), 'config/aws-rates.yml');
  } catch (error) {
    throw error instanceof RateTableError ? new ConfigurationError(error.message) : error;
  }
  const parsed = StageRatesFileSchema.safeParse(parseYaml(files.stageRates, 'config/stage-rates.yml'));
  if (!parsed.success) throw new ConfigurationError(`config/stage-rates.yml: ${problemsOf(parsed.error)}`);
  const choice = parsed.data.stages[stage] ?? {};
  const chosenRegion = choice.region ?? region;
  if (table.regions[chosenRegion] === undefined) {
    throw new ConfigurationError(
      `config/aws-rates.yml has no prices for ${chosenRegion} (stage ${stage}); add them, or name a Region it has in config/stage-rates.yml stages.${stage}.region`,
    );
  }
  const base = ratesFor(table, chosenRegion);
  const overrides = choice.overrides;
  const merged = Object.fromEntries(SERVICES.map((name) => [name, { ...base[name], ...overrides?.[name] }]));
  const checked = RegionRatesSchema.safeParse(merged);
  if (!checked.success) {
    throw new ConfigurationError(`config/stage-rates.yml: stages.${stage}.overrides: ${problemsOf(checked.error)}`);
  }
  const changed = SERVICES.flatMap((name) => Object.keys(overrides?.[name] ?? {}).map((field) => `${name}.${field}`));
  return {
    ...checked.data,
    region: base.region,
    asOf: base.asOf,
    ...(overrides !== undefined && { overrides: `${stage} overrides ${changed.join(', ')} (${overrides.source})` }),
  };
}
