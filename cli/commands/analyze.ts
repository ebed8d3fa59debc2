/**
 * `campaign analyze <analysis>`: runs a named analysis over the facts (GET /analytics/{analysis}) and prints its
 * table; `--json` prints the API's answer (analysis, parameters, columns, rows, minCell, suppressed, freshAsOf),
 * `--csv` the table as CSV (UTF-8, formula-like cells defused).
 */
import { type AnalysisResult, AnalysisResultSchema } from '../api-schemas.ts';
import { type CommandSpec, dateOption, requiredOption, stringOption } from '../command-line.ts';
import { UsageError } from '../errors.ts';
import { formatCount, formatPercent, formatTable } from '../format.ts';

export const ANALYSES = [
  'outcomes',
  'answers',
  'crosstab',
  'reach-by-attempt',
  'hours',
  'funnel',
  'trend',
  'follow-ups',
] as const;

const SHARE_COLUMNS = new Set(['share', 'row_share', 'column_share', 'cumulative_share']);
const COUNT_COLUMNS = new Set(['contacts', 'attempts', 'drop_off']);

/** One cell as text: counts grouped, shares in percent, nulls (suppressed or absent) as `–`. */
function cellText(column: string, value: string | number | null): string {
  if (value === null) return '–';
  if (typeof value === 'number' && SHARE_COLUMNS.has(column)) return formatPercent(value);
  if (typeof value === 'number' && COUNT_COLUMNS.has(column)) return formatCount(value);
  return String(value);
}

/** The analysis as a text table, with what was suppressed and how fresh it is. */
export function renderAnalysis(result: AnalysisResult): string {
  const { parameters } = result;
  const range = parameters.from === parameters.to ? parameters.from : `${parameters.from} … ${parameters.to}`;
  const lines = [`${result.analysis} · ${parameters.campaigns.join(', ')} · ${range}`, ''];
  if (result.rows.length === 0) {
    lines.push('no facts for these campaigns and dates');
  } else {
    lines.push(
      formatTable(
        result.columns.map((column) => ({
          title: column.toUpperCase(),
          align: SHARE_COLUMNS.has(column) || COUNT_COLUMNS.has(column) ? 'right' : 'left',
        })),
        result.rows.map((row) => row.map((value, index) => cellText(result.columns[index] ?? '', value))),
      ),
    );
  }
  lines.push(
    '',
    `facts as of ${result.freshAsOf}; ${result.suppressed} cell(s) under ${result.minCell} contacts shown as –`,
  );
  return lines.join('\n');
}

/** A CSV cell: quoted when needed, and a leading = + - @ defused so no spreadsheet runs it. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  const defused = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

/** The table as CSV (CRLF lines, header first). */
export function analysisCsv(result: AnalysisResult): string {
  return [result.columns, ...result.rows].map((row) => row.map(csvCell).join(',')).join('\r\n');
}

export const analyzeCommand: CommandSpec = {
  name: 'analyze',
  summary: 'run a named analysis over the analytics facts and print its table',
  usage: [
    'analyze <analysis> --campaign <id>[,<id>…] [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--by <dim>[,<dim>]] [--question <id>] [--json | --csv]',
  ],
  options: {
    campaign: { type: 'string', value: 'id[,id…]', description: 'the campaigns (up to 10)' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'one run date (default today)' },
    from: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'first run date of a range (with --to; at most 92 days)',
    },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last run date of a range' },
    by: {
      type: 'string',
      value: 'name[,name]',
      description: 'group by up to two: a dimension (list column), a question id, hour or weekday',
    },
    question: { type: 'string', value: 'id', description: 'the question (answers, crosstab)' },
    of: { type: 'string', value: 'analysis', description: 'trend: the analysis to follow per day (default outcomes)' },
    filter: { type: 'string', value: 'dim:value[|value]', description: 'only contacts with these dimension values' },
    answer: { type: 'string', value: 'question:key', description: 'only contacts whose latest answer is this' },
    csv: { type: 'boolean', description: 'print the table as CSV' },
  },
  details: [
    `Analyses: ${ANALYSES.join(', ')} (docs/analytics.md says what each measures).`,
    'Contacts are counted once, by their latest answer. Cells counting fewer contacts than the stage minimum are',
    'shown as – (null in --json and --csv). Example:',
    '  campaign analyze answers --campaign demo --question q1 --by clinic',
  ],
  async run({ args, values, json, api, out, now }) {
    const [analysis, ...rest] = args;
    if (analysis === undefined || rest.length > 0 || !(ANALYSES as readonly string[]).includes(analysis)) {
      throw new UsageError(
        analysis === undefined ? 'which analysis?' : `unknown analysis "${[analysis, ...rest].join(' ')}"`,
        `one of: ${ANALYSES.join(', ')}`,
      );
    }
    if (json && values.csv === true) throw new UsageError('--json and --csv cannot be combined');
    const campaign = requiredOption(values, 'campaign', 'analyze', 'id');
    const from = stringOption(values, 'from');
    const to = stringOption(values, 'to');
    if ((from === undefined) !== (to === undefined)) throw new UsageError('give both --from and --to');
    if (from !== undefined && stringOption(values, 'date') !== undefined) {
      throw new UsageError('give --date, or --from and --to, not both');
    }
    const client = await api();
    const result = await client.json(AnalysisResultSchema, {
      path: `/analytics/${analysis}`,
      query: {
        campaign,
        ...(from === undefined ? { date: dateOption(values, now()) } : { from, to }),
        by: stringOption(values, 'by'),
        question: stringOption(values, 'question'),
        of: stringOption(values, 'of'),
        filter: stringOption(values, 'filter'),
        answer: stringOption(values, 'answer'),
      },
    });
    if (json) {
      const { analysis: name, parameters, columns, rows, minCell, suppressed, freshAsOf } = result;
      out.printJson({ analysis: name, parameters, columns, rows, minCell, suppressed, freshAsOf });
    } else if (values.csv === true) {
      out.print(analysisCsv(result));
    } else {
      out.print(renderAnalysis(result));
    }
    return undefined;
  },
};
