/**
 * `npm run template:check [-- --stage <stage>] [-- --template <file>]`: packages the template of each checked
 * stage (dev, and prod with production parameters) and checks it against CloudFormation's rules before any
 * deploy. Exits 1 when a rule fails.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkTemplate, formatReport } from './check.ts';
import { packageStage } from './package-stage.ts';
import { CHECKED_STAGES } from './stages.ts';
import { parseTemplate, type Template } from './template.ts';

const SERVICE = 'campaign-engine';
/** serverless.yml's provider.region default, which the checked stages are packaged for. */
const DEFAULT_REGION = 'eu-west-1';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', multiple: true },
      template: { type: 'string' },
      region: { type: 'string', default: DEFAULT_REGION },
    },
  });
  const started = performance.now();
  let templates: Array<{ stage: string; template: Template }>;
  if (values.template) {
    templates = [
      { stage: values.stage?.[0] ?? 'dev', template: parseTemplate(await readFile(values.template, 'utf8')) },
    ];
  } else {
    const wanted = values.stage ?? CHECKED_STAGES.map((stage) => stage.stage);
    const unknown = wanted.filter((name) => !CHECKED_STAGES.some((stage) => stage.stage === name));
    if (unknown.length > 0) {
      console.error(
        `unknown stage ${unknown.join(', ')}: checked stages are ${CHECKED_STAGES.map((stage) => stage.stage).join(', ')}`,
      );
      return 2;
    }
    const stages = CHECKED_STAGES.filter((stage) => wanted.includes(stage.stage));
    // One after the other: serverless-esbuild stages every archive in the project's own .serverless folder.
    templates = [];
    for (const stage of stages)
      templates.push({
        stage: stage.stage,
        template: (await packageStage({ ...stage, region: values.region })).template,
      });
  }
  const packaged = performance.now();
  let problems = 0;
  for (const { stage, template } of templates) {
    const report = await checkTemplate(template, { stackName: `${SERVICE}-${stage}`, deployRegion: values.region });
    problems += report.findings.length;
    console.log(formatReport(stage, report, Object.keys(template.Resources).length));
  }
  const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(1);
  console.log(
    `template check: ${problems === 0 ? 'passed' : `${problems} problems`} ` +
      `(packaging ${seconds(packaged - started)} s, checks ${seconds(performance.now() - packaged)} s)`,
  );
  return problems === 0 ? 0 : 1;
}

process.exitCode = await main();
