/**
 * `campaign person show <phone>` (GET /people/{phone}): everything the engine holds about a number, across campaigns
 * and days; `campaign person forget <phone> --yes` (DELETE /people/{phone}): erases it everywhere, keeping only the
 * do-not-call hash and the erasure record. Both are in the audit log.
 */
import { apiPath } from '../api-client.ts';
import { type ErasureRecord, ErasureRecordSchema, type PersonView, PersonViewSchema } from '../api-schemas.ts';
import type { CommandSpec } from '../command-line.ts';
import { CliError, helpHint, UsageError } from '../errors.ts';
import { formatCount, formatFields, formatTable } from '../format.ts';

/** `+48 601 234 567`, `0048…`, `48601234567` → `+48601234567`; the API checks the rest. */
export function e164Argument(value: string): string {
  const compact = value.replace(/[\s().-]/g, '');
  const e164 = compact.startsWith('+') ? compact : `+${compact.replace(/^00/, '')}`;
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) {
    throw new UsageError(
      `"${value}" is not an international number`,
      'write it with its country code, e.g. +48601234567',
    );
  }
  return e164;
}

export function renderPerson(view: PersonView): string {
  const lines = [
    formatFields([
      ['number', view.phone],
      ['runs', view.runs.map((run) => `${run.campaignId} ${run.date}`).join(', ') || 'none'],
      ['contacts', formatCount(view.contacts.length)],
      ['answers', formatCount(view.answers.length)],
      ['follow-ups', formatCount(view.followUps.length)],
      ['call records', formatCount(view.calls.length)],
      ['contact ledger', `${formatCount(view.contactLedger.length)} recent calls (frequency caps)`],
      ['do-not-call', view.doNotCall.listed ? `listed (${view.doNotCall.source ?? 'upload'})` : 'not listed'],
      ['uploaded lists', formatCount(view.lists.length)],
      ['exports', formatCount(view.exports.length)],
    ]),
  ];
  if (view.contacts.length > 0) {
    lines.push(
      '',
      formatTable(
        [{ title: 'CAMPAIGN' }, { title: 'DATE' }, { title: 'STATUS' }, { title: 'ATTEMPTS', align: 'right' }],
        view.contacts.map((contact) => [
          String(contact.campaignId ?? ''),
          String(contact.date ?? ''),
          String(contact.status ?? ''),
          String(contact.attempts ?? ''),
        ]),
      ),
    );
  }
  lines.push('', 'Everything, as stored: campaign person show <number> --json');
  return lines.join('\n');
}

export function renderErasure(record: ErasureRecord): string {
  return formatFields([
    ['erasure', record.erasureId],
    ['at', record.at],
    ['runs', formatCount(record.runs)],
    ...Object.entries(record.removed).map(([name, value]) => [name, formatCount(value)] as [string, string]),
  ]);
}

export const personCommand: CommandSpec = {
  name: 'person',
  summary: 'show or erase everything the engine holds about a phone number (access and erasure requests)',
  usage: ['person show <number>', 'person forget <number> --yes'],
  options: {
    yes: { type: 'boolean', description: 'confirm the erasure (it cannot be undone)' },
  },
  details: [
    'show: contacts, attempts, answers, follow-ups, call records, the contact ledger, do-not-call state, and the',
    'lists and exports of the runs the number is in, across campaigns and days.',
    'forget: deletes all of it, and the uploaded lists and exports of those runs (export again without the person);',
    'an opt-out stays as a keyed hash, and an erasure record (no number) is kept. Refused while the person is in a call.',
    'Example: campaign person show +48601234567 · campaign person forget +48601234567 --yes',
  ],
  async run({ args, values, json, api, out }) {
    const [subcommand, number, ...rest] = args;
    if ((subcommand !== 'show' && subcommand !== 'forget') || number === undefined || rest.length > 0) {
      throw new UsageError('usage: campaign person show|forget <number>', helpHint('person'));
    }
    const phone = e164Argument(number);
    const client = await api();
    if (subcommand === 'show') {
      const view = await client.json(PersonViewSchema, { path: apiPath`/people/${phone}` });
      if (json) return void out.printJson(view);
      out.print(renderPerson(view));
      return undefined;
    }
    if (values.yes !== true) {
      throw new CliError(`erasing ${phone} cannot be undone`, { hint: 'add --yes to confirm' });
    }
    const record = await client.json(ErasureRecordSchema, { method: 'DELETE', path: apiPath`/people/${phone}` });
    if (json) return void out.printJson(record);
    out.print(renderErasure(record));
    return undefined;
  },
};
