// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JavaScript templates
/**
 * The API access plugin (config/serverless-api-access.cjs): tiers that miss a route stop the packaging, and a private
 * API gets the REST routes, endpoint and resource policy of its VPC endpoint.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface FunctionSpec {
  events?: Array<Record<string, unknown>>;
}
interface Service {
  service: string;
  custom: { apiAccess: Record<string, unknown> };
  functions: Record<string, FunctionSpec>;
  provider: Record<string, unknown> & { stage: string; compiledCloudFormationTemplate: { Resources: object } };
}
const plugin = createRequire(import.meta.url)('../../../config/serverless-api-access.cjs') as {
  new (serverless: { service: Service }): { hooks: Record<string, () => void> };
  routesByTier(
    routes: Array<{ key: string; fn: string }>,
    tiers: Record<string, { routes?: string[] }>,
  ): Record<string, string[]>;
};

const service = (apiAccess: Record<string, unknown>): Service => ({
  service: 'campaign-engine',
  custom: { apiAccess: { tiers: { read: { routes: ['GET /health'] } }, ...apiAccess } },
  functions: {
    health: { events: [{ httpApi: { method: 'GET', path: '/health', authorizer: { type: 'aws_iam' } } }] },
    dashboard: { events: [{ httpApi: { method: 'GET', path: '/' } }] },
    sweeper: { events: [{ schedule: 'rate(1 minute)' }] },
  },
  provider: { stage: 'prod', httpApi: { payload: '2.0' }, compiledCloudFormationTemplate: { Resources: {} } },
});
const run = (spec: Service) => {
  const hooks = new plugin({ service: spec }).hooks;
  hooks['before:package:compileEvents']?.();
  hooks['after:package:compileEvents']?.();
  return spec;
};

describe('API permission tiers', () => {
  it('refuses a route in no tier, a route in two, and a tier route no function serves, naming each', () => {
    const routes = [
      { key: 'GET /health', fn: 'health' },
      { key: 'POST /dnc', fn: 'dncUpload' },
      { key: 'GET /alerts', fn: 'alertsList' },
    ];
    const tiers = {
      read: { routes: ['GET /health', 'GET /alerts', 'GET /people/{phone}'] },
      operate: { routes: ['GET /alerts'] },
    };

    expect(() => plugin.routesByTier(routes, tiers)).toThrow(
      /GET \/people\/\{phone\}, which no function serves[\s\S]*POST \/dnc \(function dncUpload\) is in no tier[\s\S]*GET \/alerts \(function alertsList\) is in read and operate/,
    );
  });

  it('adds one managed policy per tier, with the HTTP API routes of its own, and its ARN as an output', () => {
    const spec = run(service({}));
    const template = spec.provider.compiledCloudFormationTemplate as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };

    expect(template.Resources.ApiReadPolicy?.Properties).toMatchObject({
      ManagedPolicyName: 'campaign-engine-prod-api-read',
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: [
              {
                'Fn::Sub':
                  'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/$default/GET/health',
              },
            ],
          },
        ],
      },
    });
    expect(template.Outputs.ApiReadPolicyArn).toMatchObject({ Value: { Ref: 'ApiReadPolicy' } });
  });
});

describe('private API', () => {
  it('turns the HTTP API routes into REST ones, PRIVATE to the VPC endpoint, keeping their authorisation', () => {
    const spec = run(service({ private: 'true', vpcEndpointId: 'vpce-0a1b2c3d4e5f60718' }));

    expect(spec.functions.health?.events).toEqual([
      { http: { method: 'get', path: '/health', authorizer: { type: 'AWS_IAM' } } },
    ]);
    expect(spec.functions.dashboard?.events).toEqual([{ http: { method: 'get', path: '/' } }]);
    expect(spec.functions.sweeper?.events).toEqual([{ schedule: 'rate(1 minute)' }]);
    expect(spec.provider).toMatchObject({ endpointType: 'PRIVATE', vpcEndpointIds: ['vpce-0a1b2c3d4e5f60718'] });
    expect(spec.provider.httpApi).toBeUndefined();
    const template = spec.provider.compiledCloudFormationTemplate as { Resources: Record<string, unknown> };
    expect(JSON.stringify(template.Resources.ApiReadPolicy)).toContain('${ApiGatewayRestApi}/prod/GET/health');
  });

  it.each([
    [{ private: 'true', vpcEndpointId: '' }, /privateApi needs the VPC endpoint .* \(got ""/],
    [{ private: 'true', vpcEndpointId: 'vpc-0a1b2c3d' }, /privateApi needs the VPC endpoint .* \(got "vpc-0a1b2c3d"/],
    [{ private: 'false', vpcEndpointId: 'vpce-0a1b2c3d4e5f60718' }, /apiVpcEndpointId is set but privateApi is not/],
  ])(
    'refuses a private API without its VPC endpoint, and an endpoint without a private API (%o)',
    (settings, message) => {
      expect(() => run(service(settings))).toThrow(message);
    },
  );
});
