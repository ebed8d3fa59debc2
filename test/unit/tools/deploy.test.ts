import { describe, expect, it } from 'vitest';
import { preflightProblems } from '../../../tools/deploy.ts';
import { parseParamOverrides, serviceFile, stageParams } from '../../../tools/stage-params.ts';

const INSTANCE = 'arn:aws:connect:eu-west-1:123456789012:instance/4f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190';
const good = { connectInstanceArn: INSTANCE, callerNumber: '+48221234567' };

describe('deploy preflight', () => {
  it('lets a stage with a real instance and a caller number through', () => {
    expect(preflightProblems('prod', 'eu-west-1', good)).toEqual([]);
  });

  it("refuses serverless.yml's defaults, naming connectInstanceArn and callerNumber", () => {
    const problems = preflightProblems('prod', 'eu-west-1', stageParams('prod', {}));

    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^parameter connectInstanceArn is the local cloud's all-zero placeholder/);
    expect(problems[1]).toMatch(/^parameter callerNumber is missing: pass --param callerNumber=/);
  });

  it.each([
    [
      { connectInstanceArn: 'arn:aws:connect:eu-west-1:123456789012:queue/x' },
      /connectInstanceArn .* is not a Connect instance ARN/,
    ],
    [
      { connectInstanceArn: INSTANCE.replace('eu-west-1', 'us-east-1') },
      /instance in us-east-1, but the stack deploys to eu-west-1/,
    ],
    [{ callerNumber: '0221234567' }, /callerNumber "0221234567" is not an E.164 number/],
    [{ privateApi: 'true' }, /apiVpcEndpointId "" is not a VPC endpoint id: a private API/],
    [{ privateApi: 'true', apiVpcEndpointId: 'vpc-0a1b2c3d' }, /apiVpcEndpointId "vpc-0a1b2c3d" is not a VPC endpoint/],
    [{ apiVpcEndpointId: 'vpce-0a1b2c3d4e5f60718' }, /apiVpcEndpointId is set but privateApi is not/],
    [{ privateApi: 'yes' }, /privateApi "yes" is neither true nor false/],
  ])('names the parameter that cannot work: %o', (override, message) => {
    expect(preflightProblems('prod', 'eu-west-1', { ...good, ...override })).toEqual([expect.stringMatching(message)]);
  });

  it('lets a private API with its VPC endpoint through', () => {
    expect(
      preflightProblems('prod', 'eu-west-1', {
        ...good,
        privateApi: 'true',
        apiVpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
      }),
    ).toEqual([]);
  });

  it('refuses to deploy the local stage', () => {
    expect(preflightProblems('local', 'eu-west-1', good)).toEqual([
      expect.stringMatching(/stage "local" is the local cloud/),
    ]);
  });
});

describe('stage parameters', () => {
  it('merges defaults, the stage and --param overrides in that order', () => {
    const params = { default: { a: '1', b: 2, c: true }, prod: { b: 3 } };

    expect(stageParams('prod', { c: 'false' }, params)).toEqual({ a: '1', b: '3', c: 'false' });
    expect(stageParams('dev', {}, params)).toEqual({ a: '1', b: '2', c: 'true' });
  });

  it('reads the service and its params from serverless.yml', () => {
    const file = serviceFile();

    expect(file.service).toBe('campaign-engine');
    expect(file.params.default).toMatchObject({ reservedConcurrency: true, callerNumber: '' });
  });

  it('parses name=value overrides and refuses anything else', () => {
    expect(parseParamOverrides(['bucketSuffix=acme', 'alertEmail=a=b@example.org'])).toEqual({
      bucketSuffix: 'acme',
      alertEmail: 'a=b@example.org',
    });
    expect(() => parseParamOverrides(['bucketSuffix'])).toThrow('--param bucketSuffix: expected name=value');
  });
});
