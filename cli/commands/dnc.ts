/** `campaign dnc add <file>`: adds the numbers of a CSV to the do-not-call list (POST /dnc[?country=XX]). */
import { extname } from 'node:path';
import { type DoNotCallResult, DoNotCallResultSchema } from '../api-schemas.ts';
import { type CommandSpec, stringOption } from '../command-line.ts';
import { CliError, helpHint, UsageError } from '../errors.ts';
import { readInputFile } from '../files.ts';
import { formatCount, formatFields, formatTable } from '../format.ts';

/** The do-not-call result as text: the counts, then the first rejected rows with their reasons. */
export function renderDoNotCall(result: DoNotCallResult): string {
  const lines = [
    formatFields([
      ['rows', formatCount(result.rows)],
      ['added', formatCount(result.added)],
      ['already listed', formatCount(result.alreadyListed)],
      ['duplicates', formatCount(result.duplicates)],
      ['rejected', formatCount(result.rejected)],
    ]),
  ];
  if (result.errors.length > 0) {
    lines.push(
      '',
      formatTable(
        [{ title: 'LINE', align: 'right' }, { title: 'VALUE' }, { title: 'REASON' }],
        result.errors.slice(0, 20).map((error) => [
          String(error.line),
          error.value ?? '',
          // The API names its query parameter; here it is the --country option.
          `${error.code}: ${error.reason.replace('?country=XX', '--country XX')}`,
        ]),
      ),
    );
    const shown = Math.min(20, result.errors.length);
    if (result.rejected > shown) lines.push(`… ${formatCount(result.rejected - shown)} more rejected`);
  }
  return lines.join('\n');
}

export const dncCommand: CommandSpec = {
  name: 'dnc',
  summary: 'add the numbers of a CSV file to the do-not-call list',
  usage: ['dnc add <file.csv> [--country <XX>]'],
  options: {
    country: {
      type: 'string',
      value: 'XX',
      description: 'country of numbers written without a country code (without it only +… and 00… numbers count)',
    },
  },
  details: [
    'The file is a CSV with a phone column (phone, phone_number, number, msisdn, telefon, tel), UTF-8.',
    'Every later import counts these numbers as suppressed. Example: campaign dnc add opt-outs.csv --country PL',
  ],
  async run({ args, values, json, api, out }) {
    const [subcommand, file, ...rest] = args;
    if (subcommand !== 'add' || file === undefined || rest.length > 0) {
      throw new UsageError('usage: campaign dnc add <file.csv> [--country XX]', helpHint('dnc'));
    }
    if (['.xlsx', '.xls'].includes(extname(file).toLowerCase())) {
      throw new CliError(`${file} is a workbook; the do-not-call list is read from CSV`, {
        hint: 'in Excel use Save As → "CSV UTF-8 (Comma delimited) (*.csv)"',
      });
    }
    const body = await readInputFile(file);
    const client = await api();
    const result = await client.json(DoNotCallResultSchema, {
      method: 'POST',
      path: '/dnc',
      query: { country: stringOption(values, 'country') },
      body,
      contentType: 'text/csv',
    });
    if (json) return void out.printJson(result);
    out.print(renderDoNotCall(result));
    return undefined;
  },
};
