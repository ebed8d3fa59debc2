/**
 * `npm run retained:import -- --stage <stage> [--region <region>] [--param name=value …] [--out <folder>]`
 *
 * After `serverless remove`, the table and buckets stay (DeletionPolicy Retain) and a plain re-deploy fails with
 * "already exists". This writes what CloudFormation needs to adopt them into a new stack of the same name, and the
 * commands to run (docs/deploy.md, "Tear down and re-create"):
 * 1. `import.json` + `resources-to-import.json`: an IMPORT change set of the retained table and buckets;
 * 2. `bootstrap.json`: the same plus the deployment bucket serverless uploads to, as a stack update;
 * then `npm run deploy` updates that stack to the whole engine.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_REGION } from './deploy.ts';
import { parseParamOverrides, serviceFile } from './stage-params.ts';
import { packageStage } from './template-check/package-stage.ts';
import { parseTemplate, type Resource, referencesIn, type Template } from './template-check/template.ts';

/** Retained resources with fixed names, and the property that names each (its import identifier). */
const IMPORTABLE: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
};

export interface ImportPlan {
  importTemplate: Template;
  resourcesToImport: Array<{
    ResourceType: string;
    LogicalResourceId: string;
    ResourceIdentifier: Record<string, string>;
  }>;
  bootstrapTemplate: Template;
}

/**
 * The import of a packaged template's retained, named resources. Properties that refer to other resources (a
 * bucket's notifications to a function, CORS to the API) are left out: they are not there yet, and the deploy that
 * follows sets them.
 */
export function importPlan(template: Template, createTemplate: Template): ImportPlan {
  const resources: Record<string, Resource> = {};
  const resourcesToImport: ImportPlan['resourcesToImport'] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const identifier = IMPORTABLE[resource.Type];
    const name = identifier ? resource.Properties?.[identifier] : undefined;
    if (resource.DeletionPolicy !== 'Retain' || identifier === undefined || typeof name !== 'string') continue;
    const properties = Object.fromEntries(
      Object.entries(resource.Properties ?? {}).filter(([key, value]) => referencesIn(value, key).length === 0),
    );
    resources[id] = {
      Type: resource.Type,
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: properties,
    };
    resourcesToImport.push({
      ResourceType: resource.Type,
      LogicalResourceId: id,
      ResourceIdentifier: { [identifier]: name },
    });
  }
  const importTemplate: Template = { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
  const bootstrapTemplate: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: { ...createTemplate.Resources, ...resources },
    ...(createTemplate.Outputs && { Outputs: createTemplate.Outputs }),
  };
  return { importTemplate, resourcesToImport, bootstrapTemplate };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string', default: DEFAULT_REGION },
      param: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
    },
  });
  if (!values.stage) {
    console.error('usage: npm run retained:import -- --stage <stage> [--region <region>] [--param name=value …]');
    return 2;
  }
  const { stage, region } = values;
  const stack = `${serviceFile().service}-${stage}`;
  const out = resolve(values.out ?? `.serverless-import-${stage}`);
  const packaged = await packageStage({ stage, region, params: parseParamOverrides(values.param) });
  const createTemplate = parseTemplate(
    await readFile(join(packaged.directory, 'cloudformation-template-create-stack.json'), 'utf8'),
  );
  const plan = importPlan(packaged.template, createTemplate);
  await mkdir(out, { recursive: true });
  const write = (name: string, value: unknown) => writeFile(join(out, name), `${JSON.stringify(value, null, 2)}\n`);
  await write('import.json', plan.importTemplate);
  await write('resources-to-import.json', plan.resourcesToImport);
  await write('bootstrap.json', plan.bootstrapTemplate);
  const names = plan.resourcesToImport.map((entry) => Object.values(entry.ResourceIdentifier)[0]).join(', ');
  console.log(`import of ${names} into a new stack ${stack} (${region}), written to ${out}. Run:

aws cloudformation create-change-set --region ${region} --stack-name ${stack} --change-set-name import-retained \\
  --change-set-type IMPORT --resources-to-import file://${out}/resources-to-import.json --template-body file://${out}/import.json
aws cloudformation wait change-set-create-complete --region ${region} --stack-name ${stack} --change-set-name import-retained
aws cloudformation execute-change-set --region ${region} --stack-name ${stack} --change-set-name import-retained
aws cloudformation wait stack-import-complete --region ${region} --stack-name ${stack}
aws cloudformation update-stack --region ${region} --stack-name ${stack} --template-body file://${out}/bootstrap.json
aws cloudformation wait stack-update-complete --region ${region} --stack-name ${stack}

then deploy as usual (npm run deploy -- --stage ${stage} --region ${region} with your --param values).`);
  return 0;
}

if (import.meta.main) process.exitCode = await main();
