/**
 * The service as serverless.yml declares it, fully resolved by the Serverless CLI itself
 * (`serverless print`), so the local cloud builds tables and state machines from the same source
 * as the AWS deployment.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { TableResourceProperties } from './dynamodb.ts';

const ResourceSchema = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() });

const StateMachineSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  type: z.enum(['STANDARD', 'EXPRESS']).default('STANDARD'),
  definition: z.record(z.string(), z.unknown()),
});

const PrintedServiceSchema = z.object({
  service: z.string(),
  provider: z.object({ region: z.string(), stage: z.string(), environment: z.record(z.string(), z.unknown()) }),
  functions: z.record(
    z.string(),
    z.object({
      name: z.string().optional(),
      handler: z.string(),
      environment: z.record(z.string(), z.unknown()).optional(),
      events: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
  ),
  stepFunctions: z.object({ stateMachines: z.record(z.string(), StateMachineSchema) }).optional(),
  resources: z.object({ Resources: z.record(z.string(), ResourceSchema) }),
  custom: z.record(z.string(), z.unknown()),
});
export type ServiceDefinition = z.infer<typeof PrintedServiceSchema>;

/** Runs `serverless print` for the stage and validates the parts the local cloud relies on. */
export async function loadServiceDefinition(stage: string, region: string): Promise<ServiceDefinition> {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('osls/bin/serverless.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, 'print', '--format', 'json', '--stage', stage, '--region', region],
    {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    },
  );
  const start = stdout.indexOf('{');
  return PrintedServiceSchema.parse(JSON.parse(stdout.slice(start)));
}

/**
 * The environment serverless.yml gives one function (CloudFormation references unrendered). Each function gets only
 * what it uses: the dispatcher's holds the table, the Connect instance and the pacing caps.
 */
export function functionEnvironment(service: ServiceDefinition, functionKey: string): Record<string, unknown> {
  const declared = service.functions[functionKey];
  if (declared === undefined) throw new Error(`serverless.yml declares no function ${functionKey}`);
  return { ...service.provider.environment, ...declared.environment };
}

/**
 * The contact flows the service deploys, by logical id and name: the local cloud renders a flow's ARN as
 * `<instance ARN>/contact-flow/<logical id>`, so the logical id is the flow's id there.
 */
export function contactFlowDeclarations(service: ServiceDefinition): Array<{ id: string; name: string }> {
  return Object.entries(service.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Connect::ContactFlow')
    .map(([id, resource]) => ({ id, name: String(resource.Properties?.Name ?? id) }));
}

/** The DynamoDB tables the service declares, ready for CreateTable. */
export function tableDeclarations(service: ServiceDefinition): TableResourceProperties[] {
  return Object.values(service.resources.Resources)
    .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .map((resource) => resource.Properties as unknown as TableResourceProperties);
}

/** Names of the SNS topics the service declares. */
export function topicNames(service: ServiceDefinition): string[] {
  return Object.values(service.resources.Resources)
    .filter((resource) => resource.Type === 'AWS::SNS::Topic')
    .map((resource) => String(resource.Properties?.TopicName));
}
