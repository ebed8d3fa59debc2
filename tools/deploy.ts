/**
 * `npm run deploy -- --stage <stage> [--region <region>] [--param name=value …] [--check-only]`
 *
 * Deploys the engine to AWS only after the template would be accepted: refuses parameters that cannot work
 * (naming each), packages the stage, runs the template check on exactly that package, prints the Lambda
 * concurrency the account needs, then deploys that package with `serverless deploy --package`.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseParamOverrides, serviceFile, stageParams } from './stage-params.ts';
import { checkTemplate, formatReport } from './template-check/check.ts';
import { PROJECT_ROOT, packageStage, paramArguments, serverlessCli } from './template-check/package-stage.ts';
import { reservedConcurrency } from './template-check/rules/concurrency.ts';

const CONNECT_INSTANCE_ARN = /^arn:(aws[\w-]*):connect:([a-z0-9-]+):(\d{12}):instance\/([0-9a-f-]{36})$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
/** The region serverless.yml deploys to when none is given. */
export const DEFAULT_REGION = 'eu-west-1';

/**
 * What stops a deployment before anything is created, each naming its parameter: the local cloud's all-zero
 * Connect instance, an instance in another Region, a missing or malformed caller number, the local stage, a private
 * API without its VPC endpoint.
 */
export function preflightProblems(stage: string, region: string, params: Record<string, string>): string[] {
  const problems: string[] = [];
  if (stage === 'local') problems.push('stage "local" is the local cloud (npm start); deploy another stage');
  const instance = params.connectInstanceArn ?? '';
  const match = CONNECT_INSTANCE_ARN.exec(instance);
  if (match === null) {
    problems.push(
      `parameter connectInstanceArn "${instance}" is not a Connect instance ARN: pass --param ` +
        'connectInstanceArn=arn:aws:connect:<region>:<account>:instance/<id> (docs/deploy.md, step 1)',
    );
  } else if (/^0+$/.test(match[3] ?? '') || /^[0-]+$/.test(match[4] ?? '')) {
    problems.push(
      `parameter connectInstanceArn is the local cloud's all-zero placeholder (${instance}): pass your instance's ARN ` +
        'with --param connectInstanceArn=… (docs/deploy.md, step 1)',
    );
  } else if (match[2] !== region) {
    problems.push(
      `parameter connectInstanceArn names an instance in ${match[2]}, but the stack deploys to ${region}: ` +
        `the contact flow and the Lambda integrations must be in the instance's Region (pass --region ${match[2]})`,
    );
  }
  const caller = params.callerNumber ?? '';
  if (caller === '') {
    problems.push(
      'parameter callerNumber is missing: pass --param callerNumber=+<E.164 number claimed in the Connect instance> ' +
        '(docs/deploy.md, step 1); campaigns dial from it (their callerId)',
    );
  } else if (!E164.test(caller)) {
    problems.push(`parameter callerNumber "${caller}" is not an E.164 number such as +48221234567`);
  }
  const privateApi = params.privateApi ?? 'false';
  const endpoint = params.apiVpcEndpointId ?? '';
  if (privateApi !== 'true' && privateApi !== 'false') {
    problems.push(`parameter privateApi "${privateApi}" is neither true nor false`);
  } else if (privateApi === 'true' && !VPC_ENDPOINT_ID.test(endpoint)) {
    problems.push(
      `parameter apiVpcEndpointId "${endpoint}" is not a VPC endpoint id: a private API (privateApi=true) needs ` +
        'the id (vpce-…) of the execute-api interface endpoint it is reached through (docs/deploy.md, "Private API")',
    );
  } else if (privateApi === 'false' && endpoint !== '') {
    problems.push(
      'parameter apiVpcEndpointId is set but privateApi is not: pass --param privateApi=true, or leave it out',
    );
  }
  return problems;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string', default: DEFAULT_REGION },
      param: { type: 'string', multiple: true, default: [] },
      'check-only': { type: 'boolean', default: false },
    },
  });
  if (!values.stage) {
    console.error('usage: npm run deploy -- --stage <stage> [--region <region>] [--param name=value …] [--check-only]');
    return 2;
  }
  const { stage, region } = values;
  const overrides = parseParamOverrides(values.param);
  const params = stageParams(stage, overrides);
  const problems = preflightProblems(stage, region, params);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✗ ${problem}`);
    console.error('nothing was deployed');
    return 1;
  }
  console.log(`packaging ${stage} for ${region}…`);
  // Only the overrides go on the command line: serverless.yml supplies the rest, as on deploy.
  const packaged = await packageStage({ stage, region, params: overrides });
  const report = await checkTemplate(packaged.template, {
    stackName: `${serviceFile().service}-${stage}`,
    deployRegion: region,
  });
  console.log(formatReport(stage, report, Object.keys(packaged.template.Resources).length));
  if (report.findings.length > 0) {
    console.error('✗ the template check failed: nothing was deployed');
    return 1;
  }
  const { total, required } = reservedConcurrency(packaged.template);
  console.log(
    total === 0
      ? 'Lambda concurrency: nothing reserved, any account quota will do'
      : `Lambda concurrency: the account's quota must be at least ${required} ` +
          '(Service Quotas, "Concurrent executions"; or --param reservedConcurrency=false)',
  );
  if (values['check-only']) {
    console.log(`checked; --check-only: nothing deployed (package in ${packaged.directory})`);
    return 0;
  }
  const args = [serverlessCli(), 'deploy', '--stage', stage, '--region', region, '--package', packaged.directory];
  const child = spawn(process.execPath, [...args, ...paramArguments(overrides)], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number>((resolvePromise) =>
    child.on('close', (status) => resolvePromise(status ?? 1)),
  );
  if (code === 0) {
    console.log(`deployed. Next: npm run smoke -- --stage ${stage} --region ${region} --api <ApiUrl above>`);
  }
  return code;
}

if (import.meta.main) process.exitCode = await main();
