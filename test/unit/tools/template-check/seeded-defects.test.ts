/**
 * Every rule of the template check, on a copy of the packaged dev template broken in one way: the intact copy
 * passes, each defect makes exactly its rule fail with a message that names the problem.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../../tools/template-check/check.ts';
import { parseTemplate, type Resource, type Template } from '../../../../tools/template-check/template.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../fixtures/template/dev.json');
const OPTIONS = { stackName: 'campaign-engine-dev', deployRegion: 'eu-west-1' };

/** A fresh copy of the packaged template. */
const template = (): Template => parseTemplate(readFileSync(FIXTURE, 'utf8'));

function resource(copy: Template, id: string): Resource & { Properties: Record<string, unknown> } {
  const found = copy.Resources[id];
  if (found?.Properties === undefined) throw new Error(`fixture has no ${id} with properties`);
  return { ...found, Properties: found.Properties };
}

/** Environment variables of a function in a copy, to change in place. */
function variablesOf(copy: Template, id: string): Record<string, unknown> {
  const environment = resource(copy, id).Properties.Environment;
  if (typeof environment !== 'object' || environment === null || !('Variables' in environment)) throw new Error(id);
  const variables = environment.Variables;
  if (typeof variables !== 'object' || variables === null) throw new Error(id);
  return variables as Record<string, unknown>;
}

/** The inline policy statements of a role in a copy, to change in place. */
function statementsOf(copy: Template, roleId: string): Array<Record<string, unknown>> {
  const [policy] = resource(copy, roleId).Properties.Policies as Array<{ PolicyDocument: { Statement: [] } }>;
  if (policy === undefined) throw new Error(roleId);
  return policy.PolicyDocument.Statement;
}

async function findings(copy: Template) {
  const report = await checkTemplate(copy, OPTIONS);
  return report.findings.map((finding) => `[${finding.rule}] ${finding.resource ?? ''}: ${finding.message}`);
}

describe('template check on the packaged dev template', () => {
  it('passes the intact template and prints the account concurrency it needs', async () => {
    const report = await checkTemplate(template(), OPTIONS);

    expect(report.findings).toEqual([]);
    expect(report.notes).toContainEqual(
      expect.stringMatching(/^reserved concurrency 52 .*must be at least 152 \(52 \+ 100 Lambda keeps unreserved\)$/),
    );
    expect(report.notes).toContainEqual(expect.stringMatching(/^Resource "\*" in AlertsTopicKey .*key policy/));
  });
});

describe('seeded defects: each fails its rule', () => {
  it('cycles: a function the state machine names gets the state machine Ref', async () => {
    const copy = template();
    variablesOf(copy, 'RunInitLambdaFunction').RUN_STATE_MACHINE_ARN = { Ref: 'CampaignRunStateMachine' };

    expect(await findings(copy)).toEqual([
      expect.stringMatching(
        /^\[cycles\] RunInitLambdaFunction: dependency cycle of 2 resources .*closed by RunInitLambdaFunction → CampaignRunStateMachine \(Ref at Properties\.Environment\.Variables\.RUN_STATE_MACHINE_ARN\)$/,
      ),
    ]);
  });

  it('cycles: the uploads bucket waits for its S3 permission while the function role names the bucket by GetAtt', async () => {
    const copy = template();
    const bucket = copy.Resources.S3BucketUploads;
    if (bucket === undefined) throw new Error('no uploads bucket');
    bucket.DependsOn = ['ListUploadedLambdaPermissionUploadsS3'];
    statementsOf(copy, 'ListUploadedIamRoleLambdaExecution').push({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
      Resource: { 'Fn::Sub': '${S3BucketUploads.Arn}/lists/*' },
    });

    const found = await findings(copy);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /strongly connected set of 4: ListUploadedIamRoleLambdaExecution, ListUploadedLambdaFunction, ListUploadedLambdaPermissionUploadsS3, S3BucketUploads/,
    );
    expect(found[0]).toMatch(/closed by .* \((Sub Arn|DependsOn|GetAtt Arn|Ref) at [^)]+\)$/);
  });

  it.each([
    [
      'an unknown resource type',
      (copy: Template) => {
        resource(copy, 'AlertsTopic');
        Object.assign(copy.Resources, { AlertsTopic: { ...copy.Resources.AlertsTopic, Type: 'AWS::SNS::Topik' } });
      },
      /unknown resource type AWS::SNS::Topik/,
    ],
    [
      'an unknown property',
      (copy: Template) => (resource(copy, 'DispatchLambdaFunction').Properties.MemorySise = 1024),
      /Properties\.MemorySise: no such property/,
    ],
    [
      'a missing required property',
      (copy: Template) => delete resource(copy, 'DispatchLambdaFunction').Properties.Role,
      /Properties\.Role: required property missing/,
    ],
    [
      'a literal of the wrong type',
      (copy: Template) => (resource(copy, 'DispatchLambdaFunction').Properties.MemorySize = 'lots'),
      /Properties\.MemorySize: expected an integer, got "lots"/,
    ],
    [
      'a nested property of the wrong type',
      (copy: Template) =>
        (resource(copy, 'MainTable').Properties.PointInTimeRecoverySpecification = {
          PointInTimeRecoveryEnabled: 'sometimes',
        }),
      /PointInTimeRecoveryEnabled: expected a boolean/,
    ],
    [
      'a value the schema does not allow',
      (copy: Template) => {
        resource(copy, 'DispatchLambdaFunction').Properties.TracingConfig = { Mode: 'On' };
      },
      /Properties\.TracingConfig\.Mode: "On" is not one of Active, PassThrough/,
    ],
    [
      'an attribute the type does not have',
      (copy: Template) =>
        (variablesOf(copy, 'HealthLambdaFunction').TABLE_NAME = { 'Fn::GetAtt': ['MainTable', 'Name'] }),
      /AWS::DynamoDB::Table MainTable has no attribute Name/,
    ],
    [
      'a reference to nothing',
      (copy: Template) => (variablesOf(copy, 'HealthLambdaFunction').ALERTS_TOPIC_ARN = { Ref: 'AlertTopic' }),
      /names AlertTopic, which the template does not declare/,
    ],
    [
      "an output of two intrinsic functions (serverless merges serverless.yml's output into its own of that name)",
      (copy: Template) => {
        copy.Outputs = {
          ...copy.Outputs,
          HttpApiUrl: {
            Value: {
              'Fn::Join': ['', ['https://', { Ref: 'HttpApi' }]],
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
              'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}',
            },
          },
        };
      },
      /Outputs\.HttpApiUrl\.Value: Fn::Join and Fn::Sub in one object/,
    ],
  ])('schema: %s', async (_what, breakIt, message) => {
    const copy = template();
    breakIt(copy);

    const found = await findings(copy);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^\[schema\]/);
  });

  it.each([
    [
      'an action that does not exist',
      (copy: Template) =>
        statementsOf(copy, 'DispatchIamRoleLambdaExecution').push({
          Effect: 'Allow',
          Action: ['dynamodb:GetItems'],
          Resource: 'arn:aws:dynamodb:eu-west-1:1:table/x',
        }),
      /no IAM action dynamodb:GetItems/,
    ],
    [
      'a wildcard that matches no action',
      (copy: Template) =>
        statementsOf(copy, 'DispatchIamRoleLambdaExecution').push({
          Effect: 'Allow',
          Action: ['dynamodb:Fetch*'],
          Resource: 'arn:aws:dynamodb:eu-west-1:1:table/x',
        }),
      /no IAM action dynamodb:Fetch\*/,
    ],
    [
      'Resource "*" without a reason',
      (copy: Template) =>
        statementsOf(copy, 'DispatchIamRoleLambdaExecution').push({
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: '*',
        }),
      /Resource "\*" for sqs:SendMessage/,
    ],
    [
      "serverless-step-functions' continue-as-new statement on the run state machine's role",
      (copy: Template) =>
        statementsOf(copy, 'CampaignRunStateMachineRole').push({
          Effect: 'Allow',
          Action: ['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution'],
          Resource: '*',
        }),
      /CampaignRunStateMachineRole: .*Resource "\*" for states:StartExecution/,
    ],
    [
      'a policy without Version',
      (copy: Template) =>
        delete (resource(copy, 'UploadsBucketTlsOnly').Properties.PolicyDocument as Record<string, unknown>).Version,
      /UploadsBucketTlsOnly: Properties\.PolicyDocument: Version undefined/,
    ],
    [
      'a role nothing uses',
      (copy: Template) => {
        const spare = structuredClone(resource(copy, 'DispatchIamRoleLambdaExecution'));
        copy.Resources.SpareRole = { ...spare, Properties: { ...spare.Properties, RoleName: 'spare' } };
      },
      /SpareRole: IAM role that nothing uses/,
    ],
  ])('iam: %s', async (_what, breakIt, message) => {
    const copy = template();
    breakIt(copy);

    const found = await findings(copy);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^\[iam\]/);
  });

  /** The dispatcher's statement on the table's items, to change in place. */
  const dispatchItemStatement = (copy: Template) => {
    const found = statementsOf(copy, 'DispatchIamRoleLambdaExecution').find((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:GetItem'),
    );
    if (found === undefined) throw new Error('no dispatcher item statement');
    return found as { Condition?: Record<string, Record<string, unknown>> };
  };

  it.each([
    [
      'an item statement without a dynamodb:LeadingKeys condition',
      (copy: Template) => delete dispatchItemStatement(copy).Condition,
      /DispatchIamRoleLambdaExecution: .*dynamodb:GetItem.* with no dynamodb:LeadingKeys condition/,
    ],
    [
      'a dynamodb:LeadingKeys condition without ForAllValues',
      (copy: Template) => {
        const statement = dispatchItemStatement(copy);
        statement.Condition = { StringLike: statement.Condition?.['ForAllValues:StringLike'] ?? {} };
      },
      /StringLike on dynamodb:LeadingKeys \(use ForAllValues:StringLike/,
    ],
    [
      'a dynamodb:LeadingKeys pattern that names every partition',
      (copy: Template) => {
        dispatchItemStatement(copy).Condition = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*'] } };
      },
      /dynamodb:LeadingKeys value "\*" names no partition prefix/,
    ],
    [
      'a Scan of the table',
      (copy: Template) =>
        statementsOf(copy, 'RunsStatusIamRoleLambdaExecution').push({
          Effect: 'Allow',
          Action: ['dynamodb:Scan'],
          Resource: { 'Fn::GetAtt': ['MainTable', 'Arn'] },
        }),
      /RunsStatusIamRoleLambdaExecution: .*dynamodb:Scan reach every partition/,
    ],
  ])('leading keys: %s', async (_what, breakIt, message) => {
    const copy = template();
    breakIt(copy);

    const found = await findings(copy);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^\[leading-keys\]/);
  });

  it('tracing: a function traced without xray:PutTraceSegments and xray:PutTelemetryRecords', async () => {
    const copy = template();
    resource(copy, 'DispatchLambdaFunction').Properties.TracingConfig = { Mode: 'Active' };

    expect(await findings(copy)).toEqual([
      '[tracing] DispatchLambdaFunction: traced (X-Ray) but its role DispatchIamRoleLambdaExecution does not allow xray:PutTraceSegments, xray:PutTelemetryRecords: AWS::Lambda::Function creation fails',
    ]);

    statementsOf(copy, 'DispatchIamRoleLambdaExecution').push({
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      Resource: '*',
    });
    expect(await findings(copy)).toEqual([]);
  });

  it.each([
    [
      'an IAM role name over 64 characters in the longest Region',
      (copy: Template) =>
        (resource(copy, 'ReportsExportStatusIamRoleLambdaExecution').Properties.RoleName = {
          'Fn::Join': ['-', ['campaign-engine', 'dev', 'reportsExportStatus', { Ref: 'AWS::Region' }, 'lambdaRole']],
        }),
      /IAM role name "campaign-engine-dev-reportsExportStatus-[a-z0-9-]{14,}-lambdaRole" has 6\d characters .*limit is 64/,
    ],
    [
      'the packaged Region written into a role name as text',
      (copy: Template) =>
        (resource(copy, 'DispatchIamRoleLambdaExecution').Properties.RoleName =
          'campaign-engine-dev-eu-west-1-dispatch-with-a-long-suffix-here'),
      /has 6\d characters in/,
    ],
    [
      'a Lambda function name over 64 characters',
      (copy: Template) =>
        (resource(copy, 'DispatchLambdaFunction').Properties.FunctionName = `campaign-engine-dev-${'d'.repeat(45)}`),
      /Lambda function name .* has 65 characters/,
    ],
    [
      'a queue name over 80 characters',
      (copy: Template) => (resource(copy, 'CallEventsDeadLetterQueue').Properties.QueueName = 'q'.repeat(81)),
      /SQS queue name .* has 81 characters/,
    ],
    [
      'a topic name over 256 characters',
      (copy: Template) => (resource(copy, 'AlertsTopic').Properties.TopicName = 't'.repeat(257)),
      /SNS topic name .* has 257 characters/,
    ],
    [
      'a bucket name over 63 characters',
      (copy: Template) =>
        (resource(copy, 'S3BucketReports').Properties.BucketName = `campaign-engine-dev-reports-${'x'.repeat(40)}`),
      /S3 bucket name .* has 68 characters/,
    ],
    [
      'a bucket name of a form S3 refuses',
      (copy: Template) => (resource(copy, 'S3BucketReports').Properties.BucketName = 'Campaign_Reports'),
      /S3 bucket name "Campaign_Reports" is not of the allowed form/,
    ],
  ])('names: %s', async (_what, breakIt, message) => {
    const copy = template();
    breakIt(copy);

    const found = await findings(copy);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^\[names\]/);
  });

  it('state machines: a definition asl-validator refuses', async () => {
    const copy = template();
    const machine = resource(copy, 'CampaignRunStateMachine').Properties;
    const [text, variables] = (machine.DefinitionString as { 'Fn::Sub': [string, unknown] })['Fn::Sub'];
    machine.DefinitionString = { 'Fn::Sub': [text.replace('"Next": "Dispatch"', '"Next": "Dispatcher"'), variables] };

    const found = await findings(copy);
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.every((finding) => finding.startsWith('[state-machines] CampaignRunStateMachine: invalid definition')),
    ).toBe(true);
    expect(found.join('\n')).toMatch(/Dispatcher/);
  });

  it('concurrency: a reservation that cannot be summed fails; reservations turned off need no quota', async () => {
    const copy = template();
    // A condition the check cannot evaluate: the schema rule leaves intrinsics to CloudFormation, the sum cannot.
    resource(copy, 'DispatchLambdaFunction').Properties.ReservedConcurrentExecutions = {
      'Fn::If': ['DependsOnTheWeather', 5, { Ref: 'AWS::NoValue' }],
    };
    expect(await findings(copy)).toEqual([
      expect.stringMatching(
        /^\[concurrency\] DispatchLambdaFunction: ReservedConcurrentExecutions .* cannot be summed$/,
      ),
    ]);

    const off = template();
    off.Conditions = { ...off.Conditions, ReservesConcurrency: { 'Fn::Equals': ['false', 'true'] } };
    const report = await checkTemplate(off, OPTIONS);
    expect(report.findings).toEqual([]);
    // Only the analytics workers keep theirs: they bound how many run at once (one compaction round at a time).
    expect(report.notes).toContainEqual(
      expect.stringMatching(/^reserved concurrency 3 \(AnalyticsUpkeep 1, AnalyticsBackfill 2\): .*at least 103 /),
    );
  });
});
