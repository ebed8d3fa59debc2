import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigurationError, EnvironmentSchema, PACING_CAPS, parseEnvironment } from '../../../functions/lib/config.ts';

const valid = {
  STAGE: 'test',
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'table',
  UPLOADS_BUCKET: 'uploads',
  REPORTS_BUCKET: 'reports',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:000000000000:alerts',
  CONNECT_INSTANCE_ARN: 'arn:aws:connect:eu-west-1:000000000000:instance/00000000-0000-0000-0000-000000000000',
  MAX_CONCURRENT_CALLS: '10',
  DIALS_PER_SECOND: '2',
  DIAL_BURST: '5',
  FLOW_FUNCTION_CONCURRENCY: '20',
  TICK_SECONDS: '5',
  RUN_MAX_SLEEP_SECONDS: '60',
  RUN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:000000000000:stateMachine:run',
  CONTACT_FLOW_ARN: 'arn:aws:connect:eu-west-1:000000000000:instance/x/contact-flow/y',
  RETENTION_DAYS: '90',
  MAX_CALL_SECONDS: '1800',
  ANSWERING_MACHINE_DETECTION: 'false',
  CAMPAIGN_CACHE_SECONDS: '30',
  EXPORT_FUNCTION_NAME: 'campaign-engine-test-exportContacts',
  MIN_RETRY_DELAY_SECONDS: '60',
  EXPORT_LINK_SECONDS: '300',
  PERSON_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:campaign-engine-test-person-key-AbCdEf',
  AUDIT_RETENTION_DAYS: '400',
};

const ALL = EnvironmentSchema.keyof().options;

describe('parseEnvironment', () => {
  it('parses a complete environment into typed settings', () => {
    expect(parseEnvironment(valid, ALL)).toMatchObject({ MAX_CONCURRENT_CALLS: 10, DIALS_PER_SECOND: 2 });
  });

  it('reads only the variables asked for, and requires each of them', () => {
    const settings = parseEnvironment({ TABLE_NAME: 'table', REPORTS_BUCKET: 'reports' }, [
      'TABLE_NAME',
      'REPORTS_BUCKET',
    ]);

    expect(settings).toEqual({ TABLE_NAME: 'table', REPORTS_BUCKET: 'reports' });
    expect(() => parseEnvironment({ TABLE_NAME: 'table' }, ['TABLE_NAME', 'RUN_STATE_MACHINE_ARN'])).toThrow(
      'invalid environment: RUN_STATE_MACHINE_ARN: missing',
    );
    expect(() => parseEnvironment({}, ['RETENTION_DAYS'])).toThrow('invalid environment: RETENTION_DAYS: missing');
  });

  it('validates an asked variable as strictly as the whole environment does', () => {
    expect(() =>
      parseEnvironment({ CONNECT_INSTANCE_ARN: 'arn:aws:connect:::nothing' }, ['CONNECT_INSTANCE_ARN']),
    ).toThrow(/CONNECT_INSTANCE_ARN: Connect instance ARN/);
    expect(() => parseEnvironment({ CAMPAIGN_CACHE_SECONDS: '61' }, ['CAMPAIGN_CACHE_SECONDS'])).toThrow(
      /CAMPAIGN_CACHE_SECONDS/,
    );
  });

  it('checks the pacing caps together: asking for one of them without the others is refused', () => {
    expect(() => parseEnvironment(valid, ['MAX_CONCURRENT_CALLS'])).toThrow(/also ask for DIALS_PER_SECOND/);
    expect(() => parseEnvironment({ ...valid, DIALS_PER_SECOND: '10', DIAL_BURST: '5' }, PACING_CAPS)).toThrow(
      /inconsistent pacing caps/,
    );
  });

  it('names every missing or malformed variable', () => {
    const { TABLE_NAME: _missing, ...rest } = valid;
    const attempt = () => parseEnvironment({ ...rest, DIAL_BURST: 'lots' }, ALL);

    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/TABLE_NAME/);
    expect(attempt).toThrow(/DIAL_BURST/);
  });

  it('refuses inconsistent pacing caps at load', () => {
    expect(() => parseEnvironment({ ...valid, DIALS_PER_SECOND: '10', DIAL_BURST: '5' }, ALL)).toThrow(
      /inconsistent pacing caps/,
    );
    expect(() =>
      parseEnvironment({ ...valid, MAX_CONCURRENT_CALLS: '2700', FLOW_FUNCTION_CONCURRENCY: '20' }, ALL),
    ).toThrow(/inconsistent pacing caps/);
  });

  it('accepts the caps of every stage shipped in serverless.yml', () => {
    const service = parse(readFileSync(resolve(import.meta.dirname, '../../../serverless.yml'), 'utf8'), {
      customTags: [
        { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
        { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value }) },
        { tag: '!Sub', resolve: (value: string) => ({ 'Fn::Sub': value }) },
        { tag: '!Sub', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::Sub': value }) },
        { tag: '!Not', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::Not': value }) },
        { tag: '!If', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::If': value }) },
        { tag: '!Equals', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::Equals': value }) },
        { tag: '!Select', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::Select': value }) },
        { tag: '!Split', collection: 'seq', resolve: (value: unknown) => ({ 'Fn::Split': value }) },
      ],
    }) as { params: Record<string, Record<string, unknown>> };
    const defaults = service.params.default ?? {};
    for (const [stage, overrides] of Object.entries(service.params)) {
      const params = { ...defaults, ...overrides };
      const number = (name: string) => String(params[name]).replace(/^\$\{env:[A-Z_]+, '(\d+)'\}$/, '$1');
      expect(
        () =>
          parseEnvironment(
            {
              ...valid,
              MAX_CONCURRENT_CALLS: number('maxConcurrentCalls'),
              DIALS_PER_SECOND: number('dialsPerSecond'),
              DIAL_BURST: number('dialBurst'),
              FLOW_FUNCTION_CONCURRENCY: number('flowFunctionConcurrency'),
            },
            ALL,
          ),
        `stage ${stage}`,
      ).not.toThrow();
    }
    // The stage's shortest retry delay: a minute in AWS, a second on the local stage (demo, integration tests).
    const limitOf = (stage: string) =>
      parseEnvironment(
        {
          MIN_RETRY_DELAY_SECONDS: String({ ...defaults, ...service.params[stage] }.minRetryDelaySeconds).replace(
            /^\$\{env:[A-Z_]+, '(\d+)'\}$/,
            '$1',
          ),
        },
        ['MIN_RETRY_DELAY_SECONDS'],
      ).MIN_RETRY_DELAY_SECONDS;
    expect(limitOf('default')).toBe(60);
    expect(limitOf('prod')).toBe(60);
    expect(limitOf('local')).toBe(1);
    expect(() => parseEnvironment({}, ['MIN_RETRY_DELAY_SECONDS'])).toThrow(/MIN_RETRY_DELAY_SECONDS: missing/);
  });
});
