// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JavaScript templates
/**
 * `serverless package` produces the AWS deployment offline, and the template holds what a
 * production deployment needs: encrypted storage with retention, the alerts topic, an
 * authenticated API, the Connect event rule, the contact flow, alarms, and least-privilege roles.
 * The same stage with `privateApi` (a private REST API behind a VPC endpoint) is packaged too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_NAMES } from '../../../functions/core/analytics/analyses.ts';
import { newListId } from '../../../functions/core/import/list-id.ts';
import { EXPORT_ID } from '../../../functions/use-cases/reports/export-job.ts';

interface Resource {
  Type: string;
  Properties: Record<string, unknown> & { [key: string]: never | unknown };
  Condition?: string;
}
type Template = { Resources: Record<string, Resource> };

const root = resolve(import.meta.dirname, '../../..');
let template: Template;
/** The prod stage packaged with a private API. */
let privateTemplate: Template;
const VPC_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';

const resourcesOfType = (type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/**
 * The API permission tiers (docs/security.md): which tier each IAM-authorised route belongs to. A route missing here
 * fails the test: decide its tier here, in serverless.yml (custom.apiAccess.tiers) and in the docs.
 */
const ROUTE_TIERS: Record<string, 'read' | 'operate' | 'exportAndDnc'> = {
  'GET /health': 'read',
  'GET /alerts': 'read',
  'GET /campaigns': 'read',
  'GET /campaigns/{campaignId}/definition': 'read',
  'GET /campaigns/{campaignId}/runs/{date}': 'read',
  'GET /campaigns/{campaignId}/runs/{date}/history': 'read',
  'GET /campaigns/{campaignId}/reports': 'read',
  'GET /campaigns/{campaignId}/reports/{date}': 'read',
  'GET /campaigns/{campaignId}/lists': 'read',
  'GET /campaigns/{campaignId}/lists/{listId}': 'read',
  'GET /analytics/{analysis}': 'read',
  'POST /campaigns/{campaignId}/plan': 'read',
  'POST /campaigns/{campaignId}/runs': 'operate',
  'POST /campaigns/{campaignId}/runs/{date}/{action}': 'operate',
  'PUT /campaigns/{campaignId}': 'operate',
  'POST /campaigns/{campaignId}/lists': 'operate',
  'POST /campaigns/{campaignId}/lists/upload-url': 'operate',
  'POST /analytics/backfill': 'operate',
  'GET /campaigns/{campaignId}/reports/{date}/{file}': 'exportAndDnc',
  'GET /campaigns/{campaignId}/reports/{date}/exports/{exportId}': 'exportAndDnc',
  'GET /campaigns/{campaignId}/lists/{listId}/rejected.csv': 'exportAndDnc',
  'POST /dnc': 'exportAndDnc',
  'GET /people/{phone}': 'exportAndDnc',
  'DELETE /people/{phone}': 'exportAndDnc',
  'GET /audit': 'exportAndDnc',
};

/** Path parameter values the handlers accept (their zod schemas), messy ones included. */
const date = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((at) => at.toISOString().slice(0, 10));
const PATH_PARAMETERS: Record<string, fc.Arbitrary<string>> = {
  campaignId: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/),
  date,
  listId: fc.tuple(date, fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([day, bytes]) => newListId(day, bytes)),
  exportId: fc.stringMatching(EXPORT_ID),
  file: fc.constantFrom('contacts.csv', 'contacts.xlsx'),
  action: fc.constantFrom('pause', 'resume', 'stop'),
  analysis: fc.constantFrom(...ANALYSIS_NAMES),
  phone: fc.stringMatching(/^(\+|%2B)[1-9][0-9]{6,14}$/),
};

/** A request path of a route (`/campaigns/{campaignId}` → `/campaigns/spring-2026`), parameters drawn at random. */
const requestPath = (path: string): fc.Arbitrary<string> => {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const missing = names.filter((name) => PATH_PARAMETERS[name] === undefined);
  if (missing.length > 0) throw new Error(`give {${missing.join('}, {')}} a generator in PATH_PARAMETERS`);
  return fc
    .tuple(...names.map((name) => PATH_PARAMETERS[name] as fc.Arbitrary<string>))
    .map((values) => names.reduce((built, name, index) => built.replace(`{${name}}`, values[index] ?? ''), path));
};

/** IAM's matching of resource ARNs: `*` any run of characters (`/` included), `?` exactly one. */
const arnLike = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  ).test(arn);

const ACCOUNT = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' };

/** The execute-api ARNs each tier's managed policy allows, rendered for an API id. */
function tierPatterns(source: Template, apiLogicalId: string, apiId: string): Record<string, string[]> {
  const tiers: Record<string, string[]> = {};
  for (const tier of ['read', 'operate', 'exportAndDnc']) {
    const policy = source.Resources[`Api${tier.charAt(0).toUpperCase()}${tier.slice(1)}Policy`];
    const [statement] = (policy?.Properties.PolicyDocument as { Statement: PolicyStatement[] } | undefined)
      ?.Statement ?? [{}];
    expect(statement, tier).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    tiers[tier] = [statement?.Resource ?? []].flat().map((resource) => {
      const text = (resource as { 'Fn::Sub': string })['Fn::Sub'];
      const variables: Record<string, string> = { ...ACCOUNT, [apiLogicalId]: apiId };
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => variables[name] ?? `<${name}>`);
    });
  }
  return tiers;
}

/**
 * Checks that every IAM route of a template, with any parameter values its handler accepts, is allowed by exactly
 * its own tier's policy and by no other.
 */
function expectRoutesInTheirTiers(
  routes: string[],
  tiers: Record<string, string[]>,
  arnOf: (method: string, path: string) => string,
) {
  expect([...routes].sort()).toEqual(Object.keys(ROUTE_TIERS).sort());
  for (const route of routes) {
    const [method = '', path = ''] = route.split(' ');
    fc.assert(
      fc.property(requestPath(path), (requested) => {
        const arn = arnOf(method, requested);
        const allowing = Object.entries(tiers)
          .filter(([, patterns]) => patterns.some((pattern) => arnLike(pattern, arn)))
          .map(([tier]) => tier);
        expect(allowing, `${route} as ${arn}`).toEqual([ROUTE_TIERS[route]]);
      }),
      { numRuns: 200 },
    );
  }
  // No pattern is there for nothing.
  for (const [tier, patterns] of Object.entries(tiers)) {
    expect(patterns.length, tier).toBe(Object.values(ROUTE_TIERS).filter((owner) => owner === tier).length);
  }
}

type PolicyStatement = Record<string, unknown> & { Action?: unknown; Resource?: unknown; NotResource?: unknown };
/** Every statement of the template's identity policies (role policies and managed policies), with its owner. */
const policyStatements = (): Array<{ owner: string; statement: PolicyStatement }> =>
  Object.entries(template.Resources).flatMap(([owner, resource]) => {
    const documents =
      resource.Type === 'AWS::IAM::Role'
        ? ((resource.Properties.Policies ?? []) as Array<{ PolicyDocument: unknown }>).map((p) => p.PolicyDocument)
        : resource.Type === 'AWS::IAM::ManagedPolicy'
          ? [resource.Properties.PolicyDocument]
          : [];
    return documents.flatMap((document) =>
      [(document as { Statement: PolicyStatement | PolicyStatement[] }).Statement]
        .flat()
        .map((statement) => ({ owner, statement })),
    );
  });

/** `serverless package --stage prod` with these parameters, in a build folder of its own. */
function packaged(params: string[], workFolder: string): Template {
  const output = mkdtempSync(join(tmpdir(), 'campaign-engine-package-'));
  const cli = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  execFileSync(process.execPath, [cli, 'package', '--stage', 'prod', '--package', output, ...params], {
    cwd: root,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ESBUILD_WORK_FOLDER: workFolder,
    },
    stdio: 'pipe',
  });
  return JSON.parse(readFileSync(join(output, 'cloudformation-template-update-stack.json'), 'utf8'));
}

beforeAll(() => {
  // One after the other: serverless-esbuild stages archives in the project's own .serverless folder.
  template = packaged([], '.esbuild-template-test');
  privateTemplate = packaged(
    ['--param', 'privateApi=true', '--param', `apiVpcEndpointId=${VPC_ENDPOINT}`],
    '.esbuild-template-test-private',
  );
}, 240_000);

describe('packaged CloudFormation template', () => {
  it('declares the table on demand, with point-in-time recovery, encryption and a TTL attribute', () => {
    const [[, table] = []] = resourcesOfType('AWS::DynamoDB::Table');

    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('declares upload and report buckets encrypted, private and expiring personal data', () => {
    const buckets = resourcesOfType('AWS::S3::Bucket').filter(([id]) => id !== 'ServerlessDeploymentBucket');

    expect(buckets.map(([id]) => id).sort()).toEqual(['S3BucketReports', 'S3BucketUploads']);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption).toBeDefined();
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).toContain('ExpirationInDays');
    }
  });

  it('declares the alerts topic with an optional e-mail subscription', () => {
    expect(resourcesOfType('AWS::SNS::Topic')).toHaveLength(1);
    const [[, subscription] = []] = resourcesOfType('AWS::SNS::Subscription');
    expect(subscription?.Condition).toBe('HasAlertEmail');
  });

  it('encrypts the alerts topic with a key CloudWatch alarms may use (they cannot use alias/aws/sns)', () => {
    const [[, topic] = []] = resourcesOfType('AWS::SNS::Topic');
    expect(topic?.Properties.KmsMasterKeyId).toEqual({ Ref: 'AlertsTopicKey' });
    const [[, key] = []] = resourcesOfType('AWS::KMS::Key');
    const statements = (key?.Properties.KeyPolicy as { Statement?: Array<Record<string, unknown>> } | undefined)
      ?.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      }),
    );
    expect(key?.Properties.EnableKeyRotation).toBe(true);
  });

  it('allows each IAM route, whatever its parameters, to exactly one permission tier: read, operate, export-and-DNC', () => {
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route')
      .filter(([, route]) => route.Properties.AuthorizationType === 'AWS_IAM')
      .map(([, route]) => String(route.Properties.RouteKey));
    const tiers = tierPatterns(template, 'HttpApi', 'a1b2c3d4e5');

    expectRoutesInTheirTiers(
      routes,
      tiers,
      (method, path) => `arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/${method}${path}`,
    );
  });

  it('names the tier policies after the stack and outputs their ARNs', () => {
    const outputs = (template as Template & { Outputs: Record<string, { Value: unknown }> }).Outputs;
    for (const [tier, name] of [
      ['Read', 'read'],
      ['Operate', 'operate'],
      ['ExportAndDnc', 'export-and-dnc'],
    ]) {
      expect(template.Resources[`Api${tier}Policy`]?.Properties.ManagedPolicyName).toBe(
        `campaign-engine-prod-api-${name}`,
      );
      expect(outputs[`Api${tier}PolicyArn`]?.Value).toEqual({ Ref: `Api${tier}Policy` });
    }
  });

  it("authenticates every data route with IAM; only the dashboard's static files are public", () => {
    const routes = resourcesOfType('AWS::ApiGatewayV2::Route');
    const publicRoutes = routes
      .filter(([, route]) => route.Properties.AuthorizationType !== 'AWS_IAM')
      .map(([, route]) => route.Properties.RouteKey);

    expect(routes.length).toBeGreaterThan(5);
    expect(publicRoutes.sort()).toEqual(['GET /', 'GET /assets/{file}']);
  });

  it('gives the dashboard function a role that can only write its logs', () => {
    const role = resourcesOfType('AWS::IAM::Role').find(([id]) => id.startsWith('Dashboard'))?.[1];
    const statements = ((role?.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: unknown[] } }>)
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .map((statement) => JSON.stringify((statement as { Action: unknown }).Action));

    expect(role).toBeDefined();
    for (const actions of statements) expect(actions).toMatch(/^\["logs:[A-Za-z]+"(,"logs:[A-Za-z]+")*\]$/);
  });

  it("lets browsers PUT large lists to the uploads bucket from the API's origin only", () => {
    const [, bucket] = resourcesOfType('AWS::S3::Bucket').find(([id]) => id === 'S3BucketUploads') ?? [];
    expect(bucket?.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['PUT'],
          AllowedOrigins: [
            {
              'Fn::Sub': ['https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}', { Api: { Ref: 'HttpApi' } }],
            },
            'http://localhost:*',
            'http://127.0.0.1:*',
          ],
        }),
      ],
    });
  });

  it('routes Amazon Connect contact events to the call-ended function, failures to a dead-letter queue', () => {
    const rules = resourcesOfType('AWS::Events::Rule');
    const connectRule = rules.find(([, rule]) =>
      JSON.stringify(rule.Properties.EventPattern ?? {}).includes('aws.connect'),
    );

    expect(connectRule?.[1].Properties.EventPattern).toMatchObject({
      source: ['aws.connect'],
      'detail-type': ['Amazon Connect Contact Event'],
    });
    expect(JSON.stringify(connectRule?.[1].Properties.Targets)).toContain('CallEndedLambdaFunction');
    const invokeConfig = resourcesOfType('AWS::Lambda::EventInvokeConfig');
    expect(JSON.stringify(invokeConfig)).toContain('CallEventsDeadLetterQueue');
  });

  it('deploys the contact flow from contact-flows/ without account ids in it', () => {
    const [[, flow] = []] = resourcesOfType('AWS::Connect::ContactFlow');
    const content = flow?.Properties.Content as { 'Fn::Sub': [string, Record<string, unknown>] };
    const json = content['Fn::Sub'][0];

    expect(flow?.Properties.Type).toBe('CONTACT_FLOW');
    expect(JSON.parse(json)).toMatchObject({ Version: '2019-10-30' });
    expect(json).not.toMatch(/\d{12}/);
  });

  it('declares the campaign-run state machine and alarms that notify the alerts topic', () => {
    expect(resourcesOfType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');

    expect(alarms.length).toBeGreaterThanOrEqual(4);
    // One message per failure: handler errors that end in the dead-letter queue notify through its alarm only.
    const silent = alarms.filter(([, alarm]) => alarm.Properties.AlarmActions === undefined).map(([id]) => id);
    expect(silent).toEqual(['CallEndedErrorsAlarm']);
    for (const [id, alarm] of alarms) {
      if (id !== 'CallEndedErrorsAlarm') expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlertsTopic' }]);
    }
  });

  it('alarms on errors and throttles per function, failed runs, DLQ depth and Connect concurrency above 90 %', () => {
    const alarms = Object.fromEntries(resourcesOfType('AWS::CloudWatch::Alarm'));
    const metricsOf = (id: string) => JSON.stringify(alarms[id]?.Properties ?? {});

    // Failed executions send their own alert (the state machine's Catch); the alarm covers those that cannot.
    expect(metricsOf('RunExecutionsFailedAlarm')).toContain('ExecutionsAborted');
    expect(metricsOf('RunExecutionsFailedAlarm')).toContain('ExecutionsTimedOut');
    expect(metricsOf('RunExecutionsFailedAlarm')).not.toContain('ExecutionsFailed');
    expect(metricsOf('CallEventsDeadLetterAlarm')).toContain('ApproximateNumberOfMessagesVisible');
    expect(alarms.ConnectConcurrencyAlarm?.Properties).toMatchObject({
      MetricName: 'ConcurrentCallsPercentage',
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const fn of ['Dispatch', 'CallEnded', 'NextStep', 'RecordAnswer', 'Sweeper'])
      expect(metricsOf('FunctionThrottlesAlarm')).toContain(`${fn}LambdaFunction`);
    for (const fn of ['Sweeper', 'ListUploaded', 'RunInit', 'RunFinalize', 'RunReport'])
      expect(metricsOf('BackgroundFunctionErrorsAlarm')).toContain(`${fn}LambdaFunction`);
  });

  it('declares an operations dashboard whose body is valid JSON with the engine metrics', () => {
    const [[, dashboard] = []] = resourcesOfType('AWS::CloudWatch::Dashboard');
    const sub = (dashboard?.Properties.DashboardBody ?? { 'Fn::Sub': [''] }) as { 'Fn::Sub': [string, unknown] };
    const [body = ''] = sub['Fn::Sub'];

    const widgets = (JSON.parse(body) as { widgets: unknown[] }).widgets;
    expect(widgets.length).toBeGreaterThanOrEqual(4);
    for (const metric of [
      'Dials',
      'Throttles',
      'CallsInFlight',
      'Outcome',
      'ConcurrentCallsPercentage',
      'ExecutionsFailed',
    ])
      expect(body).toContain(metric);
  });

  it('gives each function its own role, and no role grants a wildcard action', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    const roles = resourcesOfType('AWS::IAM::Role');
    const roleOf = (fn: Resource) => JSON.stringify(fn.Properties.Role);

    expect(new Set(functions.map(([, fn]) => roleOf(fn))).size).toBe(functions.length);
    const actions = roles.flatMap(([, role]) =>
      (
        (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: unknown }> } }>) ?? []
      ).flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat())),
    );
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(String(action)).not.toMatch(/(^|:)\*$/);
  });
  it('runs exports in a worker a few at a time, never retried, invocable by the export API only', () => {
    const worker = template.Resources.ExportContactsLambdaFunction;
    expect(worker?.Properties).toMatchObject({
      Timeout: 900,
      ReservedConcurrentExecutions: { 'Fn::If': ['ReservesConcurrency', 4, { Ref: 'AWS::NoValue' }] },
    });
    const invokeConfigs = resourcesOfType('AWS::Lambda::EventInvokeConfig').map(([, config]) => config.Properties);
    expect(invokeConfigs).toContainEqual(
      expect.objectContaining({
        FunctionName: { Ref: 'ExportContactsLambdaFunction' },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 600,
      }),
    );
    const invokers = resourcesOfType('AWS::IAM::Role')
      .filter(([, role]) => JSON.stringify(role.Properties.Policies).includes('ExportContactsLambdaFunction'))
      .map(([name]) => name);
    expect(invokers).toEqual(['ReportsContactsIamRoleLambdaExecution']);
  });

  it('deploys the contact-flow functions: capped, invocable by the Connect instance only, associated with it', () => {
    const functions = Object.fromEntries(resourcesOfType('AWS::Lambda::Function'));
    const instanceArn = 'arn:aws:connect:eu-west-1:000000000000:instance/00000000-0000-0000-0000-000000000000';
    for (const id of ['NextStepLambdaFunction', 'RecordAnswerLambdaFunction']) {
      expect(functions[id]?.Properties, id).toMatchObject({
        Timeout: 8,
        MemorySize: 512,
        // Reserved unless the stage turns reservations off (reservedConcurrency: false, for small accounts).
        ReservedConcurrentExecutions: { 'Fn::If': ['ReservesConcurrency', 100, { Ref: 'AWS::NoValue' }] },
      });
      const permission = resourcesOfType('AWS::Lambda::Permission').find(
        ([, resource]) =>
          JSON.stringify(resource.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      expect(permission?.[1].Properties, id).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'connect.amazonaws.com',
        SourceArn: instanceArn,
      });
      const association = resourcesOfType('AWS::Connect::IntegrationAssociation').find(
        ([, resource]) =>
          JSON.stringify(resource.Properties.IntegrationArn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      expect(association?.[1].Properties, id).toMatchObject({
        InstanceId: instanceArn,
        IntegrationType: 'LAMBDA_FUNCTION',
      });
    }
    const [[, flow] = []] = resourcesOfType('AWS::Connect::ContactFlow');
    const content = flow?.Properties.Content as { 'Fn::Sub': [string, Record<string, unknown>] } | undefined;
    const variables = content?.['Fn::Sub'][1];
    expect(variables).toEqual({
      NextStepFunctionArn: { 'Fn::GetAtt': ['NextStepLambdaFunction', 'Arn'] },
      RecordAnswerFunctionArn: { 'Fn::GetAtt': ['RecordAnswerLambdaFunction', 'Arn'] },
    });
  });

  it("gives the run state machine a role of its own: its tasks' functions, its own continuation, the alerts topic", () => {
    const [[, machine] = []] = resourcesOfType('AWS::StepFunctions::StateMachine');
    if (machine === undefined) throw new Error('no state machine');
    expect(machine.Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['CampaignRunStateMachineRole', 'Arn'] });
    const [text, variables] = (machine.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] })[
      'Fn::Sub'
    ];
    const states = Object.values((JSON.parse(text) as { States: Record<string, Record<string, unknown>> }).States);
    const tasks = states.filter((state) => state.Type === 'Task');
    const variable = (value: unknown) => variables[/^\$\{(\w+)\}$/.exec(String(value))?.[1] ?? ''];
    const invoked = tasks.flatMap((task) => variable(task.Resource) ?? []);
    const published = tasks.flatMap((task) =>
      task.Resource === 'arn:aws:states:::sns:publish'
        ? [variable((task.Parameters as { TopicArn: string }).TopicArn)]
        : [],
    );
    const started = tasks.filter((task) => task.Resource === 'arn:aws:states:::states:startExecution');

    const statements = policyStatements().filter(({ owner }) => owner === 'CampaignRunStateMachineRole');
    const resourcesFor = (action: string) =>
      statements.flatMap(({ statement }) =>
        [statement.Action].flat().includes(action) ? [statement.Resource].flat() : [],
      );
    expect(resourcesFor('lambda:InvokeFunction')).toEqual(invoked);
    expect(published).toEqual([{ Ref: 'AlertsTopic' }, { Ref: 'AlertsTopic' }]);
    expect(resourcesFor('sns:Publish')).toEqual([{ Ref: 'AlertsTopic' }]);
    expect(started).toHaveLength(1);
    expect(resourcesFor('states:StartExecution')).toEqual([
      {
        'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${machine.Properties.StateMachineName}`,
      },
    ]);
    // Nothing else: no "*", no describing or stopping executions, no EventBridge rules for .sync tasks.
    expect(statements.flatMap(({ statement }) => [statement.Action].flat()).sort()).toEqual([
      'lambda:InvokeFunction',
      'sns:Publish',
      'states:StartExecution',
    ]);
    const role = template.Resources.CampaignRunStateMachineRole;
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceArn');
  });

  it('lets only the follow-up senders (callEnded, sweeper) text phone numbers', () => {
    const statements = policyStatements();
    const texting = statements.filter(
      ({ statement }) => JSON.stringify(statement.Action).includes('sns:Publish') && statement.Resource === undefined,
    );

    // SMS go to numbers, which have no ARN: the only way to allow them is "anything but a topic".
    expect(texting.map(({ owner }) => owner).sort()).toEqual([
      'CallEndedIamRoleLambdaExecution',
      'SweeperIamRoleLambdaExecution',
    ]);
    for (const { statement } of texting) {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: ['sns:Publish'], NotResource: 'arn:aws:sns:*:*:*' });
    }
    const publishAnywhere = statements.filter(
      ({ statement }) =>
        JSON.stringify(statement.Action).match(/"sns:(Publish|\*)"|"\*"/) &&
        JSON.stringify(statement.Resource) === '"*"',
    );
    expect(publishAnywhere).toEqual([]);
  });

  it('traces nothing: no function or state machine sends X-Ray traces, and no role may', () => {
    for (const [id, fn] of resourcesOfType('AWS::Lambda::Function')) {
      expect(fn.Properties.TracingConfig, id).toBeUndefined();
    }
    for (const [id, machine] of resourcesOfType('AWS::StepFunctions::StateMachine')) {
      expect(machine.Properties.TracingConfiguration, id).toBeUndefined();
    }
    const tracing = policyStatements().filter(({ statement }) => JSON.stringify(statement.Action).includes('xray:'));
    expect(tracing).toEqual([]);
  });

  it('lets the call-ended function text phone numbers but publish to no topic other than the alerts topic', () => {
    const role = resourcesOfType('AWS::IAM::Role').find(([id]) => id.startsWith('CallEnded'))?.[1];
    const policies = (role?.Properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: Array<Record<string, unknown>> };
    }>;
    const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);
    const publishing = statements.filter((statement) => JSON.stringify(statement.Action).includes('sns:Publish'));

    expect(publishing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NotResource: 'arn:aws:sns:*:*:*' }),
        expect.objectContaining({ Resource: { Ref: 'AlertsTopic' } }),
      ]),
    );
    for (const statement of publishing) expect(statement.Resource).not.toBe('*');
  });
});

describe('analytics in the packaged template', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };
  const statementsOf = (role: Resource | undefined): Statement[] =>
    ((role?.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
  const actionsOf = (role: Resource | undefined) =>
    statementsOf(role).flatMap((statement) => [statement.Action].flat());
  const tableInput = (id: string) => template.Resources[id]?.Properties.TableInput as Record<string, unknown>;

  it('streams every change of the table to the consumer: split on error, partial failures, a dead-letter queue', () => {
    expect(template.Resources.MainTable?.Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const [, mapping] = resourcesOfType('AWS::Lambda::EventSourceMapping').find(([, resource]) =>
      JSON.stringify(resource.Properties.FunctionName).includes('AnalyticsStream'),
    ) ?? [undefined, undefined];
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      StartingPosition: 'TRIM_HORIZON',
    });
    expect(JSON.stringify(mapping?.Properties.DestinationConfig)).toContain('AnalyticsStreamDeadLetterQueue');
  });

  it('alarms on the consumer falling behind or failing, to the alerts topic', () => {
    const alarm = template.Resources.AnalyticsStreamAlarm?.Properties;
    const metrics = JSON.stringify(alarm?.Metrics);
    expect(metrics).toContain('IteratorAge');
    expect(metrics).toContain('Errors');
    expect(alarm?.AlarmActions).toEqual([{ Ref: 'AlertsTopic' }]);
  });

  it('catalogues each fact table and the latest answers as Parquet files with projected partitions, and a view of each', async () => {
    const { LATEST_ANSWERS, STORED_TABLE_NAMES, STORED_TABLES } = await import(
      '../../../functions/core/analytics/fact-tables.ts'
    );
    const { factViewSql, latestAnswersViewSql } = await import('../../../functions/core/analytics/views.ts');
    const database = template.Resources.AnalyticsDatabase?.Properties.DatabaseInput as { Name: string };
    expect(database.Name).toBe('campaign_engine_prod');
    expect(STORED_TABLE_NAMES).toContain(LATEST_ANSWERS);
    for (const table of STORED_TABLE_NAMES) {
      const camel = table.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
      const id = camel.charAt(0).toUpperCase() + camel.slice(1);
      const files = tableInput(`Analytics${id}Files`) as {
        Name: string;
        Parameters: Record<string, string>;
        PartitionKeys: Array<{ Name: string }>;
        StorageDescriptor: {
          Columns: Array<{ Name: string; Type: string }>;
          SerdeInfo: { SerializationLibrary: string };
        };
      };
      expect(files.Name).toBe(`${table}_files`);
      expect(files.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.campaign.type': 'injected',
        'projection.run_date.type': 'date',
        'projection.run_date.range': 'NOW-90DAYS,NOW+1DAYS',
      });
      expect(files.Parameters['storage.location.template']).toMatch(
        new RegExp(
          `^s3://campaign-engine-prod-reports-local/analytics/${table}/campaign=\\$\\{campaign\\}/date=\\$\\{run_date\\}/$`,
        ),
      );
      expect(files.PartitionKeys.map((key) => key.Name)).toEqual(['campaign', 'run_date']);
      expect(files.StorageDescriptor.SerdeInfo.SerializationLibrary).toContain('ParquetHiveSerDe');
      // The catalogue and the files agree column by column.
      expect(files.StorageDescriptor.Columns.map(({ Name, Type }) => `${Name} ${Type}`)).toEqual(
        STORED_TABLES[table].columns.map((column) => `${column.name} ${column.type}`),
      );
      const view = tableInput(`Analytics${id}View`) as { Name: string; TableType: string; ViewOriginalText: string };
      expect(view).toMatchObject({ Name: table, TableType: 'VIRTUAL_VIEW' });
      const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(view.ViewOriginalText)?.[1] ?? '';
      expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')).originalSql).toBe(
        table === LATEST_ANSWERS
          ? latestAnswersViewSql('campaign_engine_prod')
          : factViewSql(table, 'campaign_engine_prod'),
      );
    }
  });

  it('runs analyses in an Athena engine v3 workgroup with a scan limit per query and encrypted results', () => {
    const workGroup = template.Resources.AnalyticsWorkGroup?.Properties.WorkGroupConfiguration as Record<
      string,
      unknown
    >;
    expect(workGroup).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10_000_000_000,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
    });
  });

  it('lets the query function use the workgroup, the catalogue and the facts only', () => {
    const role = template.Resources.AnalyticsQueryIamRoleLambdaExecution;
    const athena = statementsOf(role).filter((statement) =>
      [statement.Action].flat().some((a) => a.startsWith('athena:')),
    );
    expect(JSON.stringify(athena.map((statement) => statement.Resource))).toMatch(
      /workgroup\/campaign-engine-prod-analytics/,
    );
    expect(actionsOf(role).filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    const s3 = statementsOf(role).filter((statement) => [statement.Action].flat().some((a) => a.startsWith('s3:Get')));
    expect(JSON.stringify(s3)).not.toMatch(/exports\/|reports\/|lists\//);
  });

  it('gives analysts a role that queries these tables and nothing else', () => {
    const role = template.Resources.AnalyticsAnalystRole;
    const actions = actionsOf(role);
    expect(actions.every((action) => /^(athena|glue|s3):[A-Za-z]+$/.test(action))).toBe(true);
    expect(actions.filter((action) => action.startsWith('glue:')).every((action) => /^glue:Get/.test(action))).toBe(
      true,
    );
    expect(actions.filter((action) => action.startsWith('s3:'))).not.toContain('s3:DeleteObject');
    const text = JSON.stringify(statementsOf(role).map((statement) => statement.Resource));
    expect(text).toContain('workgroup/campaign-engine-prod-analytics');
    expect(text).toContain('table/campaign_engine_prod/*');
    expect(text).toContain('/analytics/*');
    expect(text).not.toMatch(/MainTable|exports\/|lists\/|"\*"/);
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:MultiFactorAuthPresent');
  });

  it('compacts one round at a time and lets only the backfill API start backfills', () => {
    expect(template.Resources.AnalyticsUpkeepLambdaFunction?.Properties.ReservedConcurrentExecutions).toBe(1);
    const invokers = resourcesOfType('AWS::IAM::Role')
      .filter(([, role]) => JSON.stringify(role.Properties.Policies).includes('AnalyticsBackfillLambdaFunction'))
      .map(([id]) => id);
    expect(invokers).toEqual(['AnalyticsBackfillRequestIamRoleLambdaExecution']);
  });
});

/** The REST API's methods as `METHOD /path` with their authorisation (paths rebuilt from the resource tree). */
function restRoutes(source: Template): Array<{ key: string; authorization: unknown }> {
  const pathOf = (reference: unknown): string => {
    if (JSON.stringify(reference) === JSON.stringify({ 'Fn::GetAtt': ['ApiGatewayRestApi', 'RootResourceId'] }))
      return '';
    const id = (reference as { Ref?: string }).Ref ?? '';
    const resource = source.Resources[id];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') throw new Error(`no API resource ${JSON.stringify(reference)}`);
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  };
  return Object.values(source.Resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
    .map((method) => ({
      key: `${String(method.Properties.HttpMethod)} ${pathOf(method.Properties.ResourceId) || '/'}`,
      authorization: method.Properties.AuthorizationType,
    }));
}

describe('packaged template of a private API (privateApi: true, apiVpcEndpointId)', () => {
  const restApi = () => privateTemplate.Resources.ApiGatewayRestApi;

  it('serves the routes from a PRIVATE REST API of that VPC endpoint only: no HTTP API at all', () => {
    expect(restApi()?.Properties).toMatchObject({
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [VPC_ENDPOINT] },
      // Lists are binary: every body reaches the functions base64-encoded, as from the HTTP API.
      BinaryMediaTypes: ['*/*'],
    });
    expect(
      Object.values(privateTemplate.Resources).filter((resource) => resource.Type.startsWith('AWS::ApiGatewayV2::')),
    ).toEqual([]);
  });

  it('refuses every call that does not come through the VPC endpoint; lets in the dashboard files and this account', () => {
    const policy = restApi()?.Properties.Policy as { Version: string; Statement: PolicyStatement[] };
    const inTheVpc = { StringEquals: { 'aws:SourceVpce': VPC_ENDPOINT } };

    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': VPC_ENDPOINT } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: '*',
        Resource: ['execute-api:/*/GET/', 'execute-api:/*/GET/assets/*'],
        Condition: inTheVpc,
      }),
      // The account, not anyone in it: each caller's own policies (the tiers) still decide.
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        Resource: 'execute-api:/*',
        Condition: inTheVpc,
      }),
    ]);
  });

  it("requires IAM signatures on every data route; only the dashboard's files are open (within the VPC)", () => {
    const routes = restRoutes(privateTemplate);
    const open = routes.filter((route) => route.authorization !== 'AWS_IAM').map((route) => route.key);

    expect(routes.length).toBe(Object.keys(ROUTE_TIERS).length + 2);
    expect(open.sort()).toEqual(['GET /', 'GET /assets/{file}']);
  });

  it('allows each IAM route, whatever its parameters, to exactly one permission tier', () => {
    const routes = restRoutes(privateTemplate)
      .filter((route) => route.authorization === 'AWS_IAM')
      .map((route) => route.key);
    const tiers = tierPatterns(privateTemplate, 'ApiGatewayRestApi', 'r1s2t3u4v5');

    expectRoutesInTheirTiers(
      routes,
      tiers,
      (method, path) => `arn:aws:execute-api:eu-west-1:123456789012:r1s2t3u4v5/prod/${method}${path}`,
    );
  });

  it("gives its address (with the stage) and lets browsers PUT lists from the private API's origin", () => {
    const outputs = (privateTemplate as Template & { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(outputs.ApiUrl?.Value).toEqual({
      'Fn::Sub': [
        'https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}${StagePath}',
        { Api: { Ref: 'ApiGatewayRestApi' }, StagePath: '/prod' },
      ],
    });
    const cors = privateTemplate.Resources.S3BucketUploads?.Properties.CorsConfiguration;
    expect(JSON.stringify(cors)).toContain('{"Api":{"Ref":"ApiGatewayRestApi"}}');
  });
});
