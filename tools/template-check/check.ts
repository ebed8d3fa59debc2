/**
 * Runs every rule of the template check over one packaged template.
 */

import { longestNames } from './regions.ts';
import { checkConcurrency } from './rules/concurrency.ts';
import { checkCycles } from './rules/cycles.ts';
import { checkIam } from './rules/iam.ts';
import { checkLeadingKeys } from './rules/leading-keys.ts';
import { checkNames } from './rules/names.ts';
import { checkSchema } from './rules/schema.ts';
import { checkStateMachines } from './rules/state-machines.ts';
import { checkTracing } from './rules/tracing.ts';
import type { Finding, RuleResult, Template } from './template.ts';

export interface CheckReport {
  findings: Finding[];
  notes: string[];
}

/**
 * Checks a template with every rule. `stackName` renders names built from AWS::StackName; `deployRegion` is the
 * Region it was packaged for.
 */
export async function checkTemplate(
  template: Template,
  options: { stackName: string; deployRegion: string },
): Promise<CheckReport> {
  const { region, partition } = longestNames();
  const results: RuleResult[] = [
    checkCycles(template),
    checkSchema(template),
    await checkIam(template),
    await checkLeadingKeys(template),
    await checkTracing(template),
    checkNames(template, { region, partition, stackName: options.stackName, deployRegion: options.deployRegion }),
    checkStateMachines(template),
    checkConcurrency(template),
  ];
  return {
    findings: results.flatMap((result) => result.findings),
    notes: results.flatMap((result) => result.notes),
  };
}

/** The report as lines for a terminal: findings first, then the notes. */
export function formatReport(stage: string, report: CheckReport, resourceCount: number): string {
  const lines = [`stage ${stage}: ${resourceCount} resources, ${report.findings.length} problems`];
  for (const finding of report.findings) {
    lines.push(`  ✗ [${finding.rule}]${finding.resource ? ` ${finding.resource}:` : ''} ${finding.message}`);
  }
  for (const note of report.notes) lines.push(`  · ${note}`);
  return lines.join('\n');
}
