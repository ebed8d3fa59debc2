/**
 * Contact events the engine did not cause are ignored quietly (no retry, no dead letter): tested against the
 * samples AWS publishes (test/events/connect/aws-docs/SOURCES.md) and variants that change one field each.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContactEventSchema, reasonToIgnore } from '../../../../functions/handlers/events/contact-event.ts';

const INSTANCE = 'arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012';
const sample = (name: string) =>
  ContactEventSchema.parse(
    JSON.parse(readFileSync(resolve(import.meta.dirname, `../../../events/connect/aws-docs/${name}.json`), 'utf8')),
  );
const withDetail = (name: string, detail: Record<string, unknown>) => {
  const event = sample(name);
  return ContactEventSchema.parse({ ...event, detail: { ...event.detail, ...detail } });
};

describe('reasonToIgnore', () => {
  it("parses AWS's published samples (fields the engine does not read are kept, not refused)", () => {
    expect(sample('connected-to-agent').detail.contactId).toBe('11111111-1111-1111-1111-111111111111');
    expect(sample('disconnected-voice').detail.disconnectTimestamp).toBe('2021-08-04T17:18:37.000Z');
  });

  it('ignores event types other than DISCONNECTED', () => {
    expect(reasonToIgnore(sample('connected-to-agent'), INSTANCE)).toBe('event type CONNECTED_TO_AGENT');
  });

  it('ignores calls an agent placed from the CCP (OUTBOUND), inbound calls and transfers', () => {
    expect(reasonToIgnore(sample('disconnected-voice'), INSTANCE)).toBe('initiation method OUTBOUND');
    for (const method of ['INBOUND', 'TRANSFER', 'CALLBACK', 'QUEUE_TRANSFER']) {
      expect(reasonToIgnore(withDetail('disconnected-voice', { initiationMethod: method }), INSTANCE)).toBe(
        `initiation method ${method}`,
      );
    }
  });

  it('ignores chats and tasks, even when an API started them', () => {
    for (const channel of ['CHAT', 'TASK', 'EMAIL']) {
      expect(reasonToIgnore(withDetail('disconnected-voice', { channel, initiationMethod: 'API' }), INSTANCE)).toBe(
        `channel ${channel}`,
      );
    }
  });

  it("ignores another instance's contacts, whichever spelling of the field the event uses", () => {
    const api = { initiationMethod: 'API' };
    expect(reasonToIgnore(withDetail('disconnected-voice', api), INSTANCE)).toBe('another instance');
    const older = withDetail('connected-to-agent', { ...api, eventType: 'DISCONNECTED' });
    expect(reasonToIgnore(older, INSTANCE.replace('us-west-2', 'eu-west-1'))).toBe('another instance');
  });

  it('takes the end of a voice call started through the API on this instance, as AWS spells it ("Voice")', () => {
    const ours = withDetail('disconnected-voice', { initiationMethod: 'API', instanceArn: INSTANCE });
    expect(ours.detail.channel).toBe('Voice');
    expect(reasonToIgnore(ours, INSTANCE)).toBeUndefined();
  });
});
