/**
 * `serverless package` produces the AWS deployment offline, and the template holds what a
 * production deployment needs: encrypted storage with retention, the alerts topic, an
 * authenticated API, the Connect event rule, the contact flow, alarms, and least-privilege roles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

interface Resource {
  Type: string;
  Properties: Record<string, unknown> & { [key: string]: never | unknown };
  Condition?: string;
}
type Template = { Resources: Record<string, Resource> };

const root = resolve(import.meta.dirname, '../../..');
let template: Template;

const resourcesOfType = (type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

beforeAll(() => {
  const output = mkdtempSync(join(tmpdir(), 'campaign-engine-package-'));
  const cli = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  execFileSync(process.execPath, [cli, 'package', '--stage', 'prod', '--package', output], {
    cwd: root,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ESBUILD_WORK_FOLDER: '.esbuild-template-test',
    },
    stdio: 'pipe',
  });
  template = JSON.parse(readFileSync(join(output, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 120_000);

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
    for (const actions of statements) expect(actions).toMatch(/^\["logs:[A-Za-z]+"(,"logs:[A-Za-z]+")*\]$|xray/);
  });

  it("lets browsers PUT large lists to the uploads bucket from the API's origin only", () => {
    const [, bucket] = resourcesOfType('AWS::S3::Bucket').find(([id]) => id === 'S3BucketUploads') ?? [];
    expect(bucket?.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['PUT'],
          AllowedOrigins: [{ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }, 'http://localhost:*', 'http://127.0.0.1:*'],
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

  it('catalogues each fact table as Parquet files with projected partitions, and a view of each fact once', async () => {
    const { FACT_TABLE_NAMES, FACT_TABLES } = await import('../../../functions/core/analytics/fact-tables.ts');
    const { factViewSql } = await import('../../../functions/core/analytics/views.ts');
    const database = template.Resources.AnalyticsDatabase?.Properties.DatabaseInput as { Name: string };
    expect(database.Name).toBe('campaign_engine_prod');
    for (const table of FACT_TABLE_NAMES) {
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
        FACT_TABLES[table].columns.map((column) => `${column.name} ${column.type}`),
      );
      const view = tableInput(`Analytics${id}View`) as { Name: string; TableType: string; ViewOriginalText: string };
      expect(view).toMatchObject({ Name: table, TableType: 'VIRTUAL_VIEW' });
      const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(view.ViewOriginalText)?.[1] ?? '';
      expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')).originalSql).toBe(
        factViewSql(table, 'campaign_engine_prod'),
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
