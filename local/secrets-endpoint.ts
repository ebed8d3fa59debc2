/**
 * Local Secrets Manager: GetSecretValue (JSON 1.1 protocol, `X-Amz-Target: secretsmanager.GetSecretValue`) for the
 * stage's secrets, so the functions read their key exactly as in AWS. Each secret's value is generated once (random,
 * as CloudFormation's GenerateSecretString does) and kept in the state directory, so hashes written by one session
 * still match in the next when DynamoDB keeps its data (`LOCAL_PERSIST=1`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { listen, type RunningServer } from './http-server.ts';

export interface SecretsEndpointOptions {
  port: number;
  /** JSON file of the secrets' values, by secret ARN. */
  file: string;
  /** The secrets that exist (their ARNs, as the functions' environment names them). */
  secretArns: string[];
}

function loadValues(file: string, arns: readonly string[]): Map<string, string> {
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const arn of arns) {
    if (typeof stored[arn] !== 'string') {
      stored[arn] = randomBytes(48).toString('base64url');
      changed = true;
    }
  }
  if (changed) writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return new Map(Object.entries(stored));
}

export async function startSecretsEndpoint(options: SecretsEndpointOptions): Promise<RunningServer> {
  const values = loadValues(options.file, options.secretArns);
  return listen(options.port, async (request, body, response) => {
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    };
    if (request.method === 'GET' && request.url === '/health') {
      response.end('ok');
      return;
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'secretsmanager.GetSecretValue') {
      reply(400, { __type: 'UnknownOperationException', message: `${target || 'no target'} is not supported locally` });
      return;
    }
    const input = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string };
    const id = input.SecretId ?? '';
    const arn = [...values.keys()].find((known) => known === id || known.endsWith(`:secret:${id}`));
    const value = arn === undefined ? undefined : values.get(arn);
    if (arn === undefined || value === undefined) {
      reply(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    reply(200, {
      ARN: arn,
      Name: arn.split(':secret:')[1] ?? id,
      SecretString: value,
      VersionId: '00000000-0000-0000-0000-000000000001',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 0,
    });
  });
}
