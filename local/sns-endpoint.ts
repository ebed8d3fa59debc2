/**
 * Local SNS: the AWS Query protocol subset the engine uses (Publish, GetTopicAttributes).
 * Every published message (alerts, run summaries, follow-up SMS) is appended to `sns.jsonl`
 * and printed, so a developer sees exactly what operators and callees would receive.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { listen, type RunningServer } from './http-server.ts';

/** One message as recorded in the local SNS log. */
export interface RecordedMessage {
  messageId: string;
  at: string;
  topicArn?: string;
  phoneNumber?: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

export interface SnsEndpointOptions {
  port: number;
  logFile: string;
  /** Topics that exist; publishing elsewhere is NotFound, as in AWS. */
  topicArns: string[];
  /**
   * SMS (Publish to a phone number) the account may send per second, as a token bucket of one
   * second's worth; over it Publish answers `Throttled` ("Rate exceeded"), as SNS does. Default 20.
   */
  smsPerSecond?: number;
  print?: (message: RecordedMessage) => void;
}

function xmlEscape(value: string): string {
  return value.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(`<?xml version="1.0"?>\n${body}`);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    response,
    status,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** Message attributes arrive as MessageAttributes.entry.N.Name / .Value.StringValue. */
function messageAttributes(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index++) {
    const name = form.get(`MessageAttributes.entry.${index}.Name`) ?? '';
    attributes[name] = form.get(`MessageAttributes.entry.${index}.Value.StringValue`) ?? '';
  }
  return attributes;
}

export async function startSnsEndpoint(options: SnsEndpointOptions): Promise<RunningServer> {
  const topics = new Set(options.topicArns);
  const smsPerSecond = options.smsPerSecond ?? 20;
  const smsBucket = { tokens: smsPerSecond, at: Date.now() };
  const takeSmsToken = (): boolean => {
    const now = Date.now();
    smsBucket.tokens = Math.min(smsPerSecond, smsBucket.tokens + ((now - smsBucket.at) / 1000) * smsPerSecond);
    smsBucket.at = now;
    if (smsBucket.tokens < 1) return false;
    smsBucket.tokens -= 1;
    return true;
  };
  return listen(options.port, async (request, body, response) => {
    if (request.method === 'GET' && request.url === '/health') {
      response.end('ok');
      return;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action');
    const requestId = randomUUID();
    if (action === 'Publish') {
      const topicArn = form.get('TopicArn') ?? form.get('TargetArn') ?? undefined;
      const phoneNumber = form.get('PhoneNumber') ?? undefined;
      const message = form.get('Message');
      if (message === null || message === '') {
        sendError(response, 400, 'InvalidParameter', 'Invalid parameter: Empty message');
        return;
      }
      if (topicArn === undefined && phoneNumber === undefined) {
        sendError(response, 400, 'InvalidParameter', 'Invalid parameter: TopicArn or PhoneNumber is required');
        return;
      }
      if (topicArn !== undefined && !topics.has(topicArn)) {
        sendError(response, 404, 'NotFound', 'Topic does not exist');
        return;
      }
      if (phoneNumber !== undefined && !/^\+[1-9]\d{6,14}$/.test(phoneNumber)) {
        sendError(response, 400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: not E.164');
        return;
      }
      if (phoneNumber !== undefined && !takeSmsToken()) {
        sendError(response, 429, 'Throttled', 'Rate exceeded');
        return;
      }
      const recorded: RecordedMessage = {
        messageId: randomUUID(),
        at: new Date().toISOString(),
        topicArn,
        phoneNumber,
        subject: form.get('Subject') ?? undefined,
        message,
        attributes: messageAttributes(form),
      };
      await appendFile(options.logFile, `${JSON.stringify(recorded)}\n`);
      options.print?.(recorded);
      sendXml(
        response,
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${recorded.messageId}` +
          `</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
      return;
    }
    if (action === 'GetTopicAttributes') {
      const topicArn = form.get('TopicArn') ?? '';
      if (!topics.has(topicArn)) {
        sendError(response, 404, 'NotFound', 'Topic does not exist');
        return;
      }
      sendXml(
        response,
        200,
        `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes>` +
          `<entry><key>TopicArn</key><value>${xmlEscape(topicArn)}</value></entry>` +
          `</Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
          '</GetTopicAttributesResponse>',
      );
      return;
    }
    sendError(response, 400, 'InvalidAction', `The local SNS endpoint does not implement ${action ?? '(no Action)'}`);
  });
}
