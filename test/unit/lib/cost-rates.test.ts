import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../functions/lib/config.ts';
import { ratesOfStage } from '../../../functions/lib/cost-rates.ts';

const rateTable = readFileSync('config/aws-rates.yml', 'utf8');
const files = (stageRates: string) => ({ rateTable, stageRates });

describe('the stage rates (config/stage-rates.yml over config/aws-rates.yml)', () => {
  it('ships valid: every stage prices with its Region, the local stage with eu-west-1', () => {
    expect(ratesOfStage('prod', 'eu-central-1')).toMatchObject({ region: 'eu-central-1', asOf: '2025-11-10' });
    expect(ratesOfStage('local', 'us-east-1').region).toBe('eu-west-1');
    expect(ratesOfStage('prod', 'eu-central-1').overrides).toBeUndefined();
  });

  it('takes the Region a stage names, and overrides single prices, saying which and on what authority', () => {
    const rates = ratesOfStage(
      'prod',
      'ap-south-1',
      files(`stages:
  prod:
    region: eu-west-1
    overrides:
      source: contract 2026
      sns: { smsPerMessage: 0.035 }
      connect: { telephonyPerMinute: 0.02 }
`),
    );
    expect(rates.region).toBe('eu-west-1');
    expect(rates.sns).toMatchObject({ smsPerMessage: 0.035, publishesPerMillion: 0.5, smsCountry: 'PL' });
    expect(rates.connect.telephonyPerMinute).toBe(0.02);
    expect(rates.dynamodb.writeRequestUnitsPerMillion).toBe(0.7068);
    expect(rates.overrides).toBe('prod overrides sns.smsPerMessage, connect.telephonyPerMinute (contract 2026)');
    // Other stages keep the table's prices.
    expect(ratesOfStage('dev', 'eu-west-1', files('stages: { prod: { region: eu-west-1 } }')).sns.smsPerMessage).toBe(
      0.0404,
    );
  });

  it('refuses a bad entry naming the file and field, and a Region without prices naming both', () => {
    const refused = (stageRates: string, region = 'eu-west-1') => {
      try {
        ratesOfStage('prod', region, files(stageRates));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('stages: { prod: { overrides: { source: x, sns: { smsPerMessage: -1 } } } }')).toMatch(
      /config\/stage-rates\.yml: stages\.prod\.overrides\.sns\.smsPerMessage/,
    );
    expect(refused('stages: { prod: { overrides: { sns: { smsPerMessage: 0.01 } } } }')).toMatch(
      /stages\.prod\.overrides\.source/,
    );
    expect(refused('stages: { prod: { overrides: { source: x, sqs: { x: 1 } } } }')).toMatch(/stages\.prod\.overrides/);
    expect(refused('stages: { prod: { region: mars } }')).toMatch(/stages\.prod\.region: an AWS Region/);
    expect(refused('stages: {}', 'ap-south-1')).toMatch(/no prices for ap-south-1 \(stage prod\)/);
    expect(refused('stages: [')).toMatch(/config\/stage-rates\.yml: not YAML/);
  });
});
