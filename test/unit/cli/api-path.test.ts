import { describe, expect, it } from 'vitest';
import { apiPath } from '../../../cli/api-client.ts';
import { UsageError } from '../../../cli/errors.ts';

describe('apiPath', () => {
  it('keeps ordinary ids as they are', () => {
    expect(apiPath`/campaigns/${'flu-2026'}/runs/${'2026-11-23'}/pause`).toBe(
      '/campaigns/flu-2026/runs/2026-11-23/pause',
    );
  });

  it('keeps an id typed with a slash, ? or # in its own segment (the API refuses it as an id)', () => {
    expect(apiPath`/campaigns/${'flu/../../dnc'}/lists`).toBe('/campaigns/flu%2F..%2F..%2Fdnc/lists');
    expect(apiPath`/campaigns/${'a?b#c'}`).toBe('/campaigns/a%3Fb%23c');
    expect(apiPath`/campaigns/${'x'}/reports/${2026}`).toBe('/campaigns/x/reports/2026');
  });

  it('refuses . and .., which a URL resolves to another route however they are encoded', () => {
    expect(() => apiPath`/campaigns/${'..'}/runs/${'2026-11-23'}`).toThrow(UsageError);
    expect(() => apiPath`/campaigns/${'.'}`).toThrow('"." is not an id');
  });
});
