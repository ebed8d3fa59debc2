/**
 * Every function can start with the environment serverless.yml gives it, and with nothing more: each handler
 * module is loaded (its cold start, where config.ts validates what it asks for) with exactly its function's
 * variables, CloudFormation references rendered as the local cloud renders them. A function missing a variable it
 * asks for fails here naming both, instead of at its first invocation in AWS.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createReferenceRenderer } from '../../../local/cloudformation-references.cjs';
import {
  functionEnvironment,
  loadServiceDefinition,
  type ServiceDefinition,
} from '../../../local/service-definition.ts';

const root = resolve(import.meta.dirname, '../../..');
let service: ServiceDefinition;

beforeAll(async () => {
  service = await loadServiceDefinition('dev', 'eu-west-1');
}, 120_000);

/** `functions/http/runs.status` → the module `functions/http/runs.ts`. */
const moduleOf = (handler: string) => resolve(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);

describe('function environments (serverless.yml, dev)', () => {
  it('loads every handler module with exactly its own environment', async () => {
    const renderer = createReferenceRenderer({
      service: service.service,
      stage: service.provider.stage,
      region: service.provider.region,
      resources: service.resources.Resources,
      stateMachines: service.stepFunctions?.stateMachines ?? {},
      functions: Object.keys(service.functions),
    });
    const original = { ...process.env };
    const failures: string[] = [];
    try {
      for (const [key, declaration] of Object.entries(service.functions)) {
        const variables = Object.entries(functionEnvironment(service, key)).map(([name, value]) => [
          name,
          String(renderer.render(value)),
        ]);
        for (const name of Object.keys(process.env)) delete process.env[name];
        Object.assign(process.env, { AWS_REGION: 'eu-west-1' }, Object.fromEntries(variables));
        vi.resetModules();
        try {
          await import(moduleOf(declaration.handler));
        } catch (error) {
          failures.push(`${key} (${declaration.handler}): ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, original);
    }

    expect(failures).toEqual([]);
    expect(Object.keys(service.functions).length).toBeGreaterThan(30);
  }, 120_000);

  it('gives a function named by a resource none of that resource’s references (no dependency cycle)', () => {
    const named = { CampaignRunStateMachine: ['runInit', 'dispatch', 'runFinalize', 'runReport', 'runFail'] };
    for (const [resource, functions] of Object.entries(named)) {
      for (const key of functions) {
        expect(JSON.stringify(functionEnvironment(service, key)), key).not.toContain(`"${resource}"`);
      }
    }
    for (const key of ['nextStep', 'recordAnswer']) {
      expect(JSON.stringify(functionEnvironment(service, key)), key).not.toContain('"OutboundSurveyFlow"');
    }
  });
});
