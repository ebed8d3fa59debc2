import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NotAnEngineCallError,
  parameter,
  parseFlowEvent,
} from '../../../../functions/handlers/flow/contact-flow-event.ts';

const fixture = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../events/connect/contact-flow-event-record-answer.json'), 'utf8'),
) as { Details: { ContactData: Record<string, unknown>; Parameters: Record<string, unknown> } };

describe('parseFlowEvent', () => {
  it('finds the contact attempt of a Connect ContactFlowEvent', () => {
    const { event, ref } = parseFlowEvent(fixture);

    expect(ref).toEqual({
      campaignId: 'demo',
      date: '2026-11-22',
      attempt: 2,
      phone: '+48601234567',
      connectContactId: '5ca32fbd-8f92-46af-92a5-6b0f970f0efe',
    });
    expect(parameter(event, 'input')).toBe('1');
    expect(parameter(event, 'missing')).toBeUndefined();
  });

  it('refuses events of calls the engine did not start, and anything that is not a ContactFlowEvent', () => {
    const foreign = structuredClone(fixture);
    foreign.Details.ContactData.Attributes = { name: 'x' };
    expect(() => parseFlowEvent(foreign)).toThrow(NotAnEngineCallError);

    const withoutNumber = structuredClone(fixture);
    withoutNumber.Details.ContactData.CustomerEndpoint = null;
    expect(() => parseFlowEvent(withoutNumber)).toThrow(/no E.164 customer endpoint/);

    expect(() => parseFlowEvent({ Name: 'Something' })).toThrow();
  });

  it('accepts parameters that resolved to nothing (null) and reads them as absent', () => {
    const unresolved = structuredClone(fixture);
    unresolved.Details.Parameters.input = null;
    expect(parameter(parseFlowEvent(unresolved).event, 'input')).toBeUndefined();
  });
});
