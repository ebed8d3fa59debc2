/**
 * The stage's contact policy (config/contact-policy.yml), inlined into the bundle of each function that needs it and
 * validated once, at cold start, for the function's `STAGE`: a broken file fails the cold start naming the path of
 * every problem, never a call.
 */
import { parse } from 'yaml';
import policyFile from '../../config/contact-policy.yml?raw';
import { type ContactPolicy, ContactPolicyFileSchema, policyOfStage } from '../core/policy/contact-policy.ts';
import { ConfigurationError } from './config.ts';

/** Parses and validates a contact-policy file's text; throws a ConfigurationError listing every problem by path. */
export function parseContactPolicyFile(text: string, source = 'config/contact-policy.yml') {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigurationError(`${source}: not YAML: ${(error as Error).message}`);
  }
  const result = ContactPolicyFileSchema.safeParse(document ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigurationError(`${source}: ${problems.join('; ')}`);
  }
  return result.data;
}

let parsed: ReturnType<typeof parseContactPolicyFile> | undefined;

/** The contact policy of `stage` from the bundled file. */
export function contactPolicyOf(stage: string): ContactPolicy {
  parsed ??= parseContactPolicyFile(policyFile);
  return policyOfStage(parsed, stage);
}
