import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../functions/lib/config.ts';
import { contactPolicyOf, parseContactPolicyFile } from '../../../functions/lib/contact-policy.ts';

describe('config/contact-policy.yml', () => {
  it('validates for every stage it names, and gives other stages the default', () => {
    const file = parseContactPolicyFile(readFileSync('config/contact-policy.yml', 'utf8'));
    expect(Object.keys(file)).toEqual(expect.arrayContaining(['default', 'local']));
    expect(contactPolicyOf('prod')).toEqual(file.default);
    expect(contactPolicyOf('local').callerIdPools['test-low-tier']?.numbers).toHaveLength(2);
  });

  it('refuses a broken policy naming the path of each problem', () => {
    expect(() => parseContactPolicyFile('default:\n  rules:\n    - { id: x, within: forever, max: 1 }\n')).toThrow(
      /default\.rules\.0\.within/,
    );
    expect(() => parseContactPolicyFile('default: [')).toThrow(ConfigurationError);
  });
});
