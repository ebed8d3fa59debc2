// @ts-check
/**
 * The Analysis view (`#/<campaignId>/<date>/analysis`): named analyses over the analytics facts for the 30 days up to
 * the date: reach by local hour × weekday (heatmap), answers by segment, a cross-tab, the funnel and a trend, each
 * downloadable as CSV or Excel (the API's `format=csv|xlsx`). Cells under the stage's minimum are shown as –.
 */
import { api, describeError } from './api.js';
import { timeChart } from './charts.js';
import { count, h, percent } from './format.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SHARES = new Set(['share', 'row_share', 'column_share', 'cumulative_share']);

/** @param {string} date @param {number} days */
const daysBefore = (date, days) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/**
 * @param {string} name
 * @param {Record<string, string | undefined>} query
 */
function analysisPath(name, query) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, value);
  return `/analytics/${name}?${search}`;
}

/** @param {string} column @param {string | number | null} value */
function cellText(column, value) {
  if (value === null) return '–';
  if (typeof value === 'number' && SHARES.has(column)) return percent(value);
  if (typeof value === 'number') return count(value);
  return value;
}

/** @param {{ columns: string[], rows: (string | number | null)[][] }} result @param {string} caption */
function table(result, caption) {
  return h(
    'table',
    { class: 'analysis-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...result.columns.map((column) => h('th', { scope: 'col' }, column)))),
    h(
      'tbody',
      {},
      ...result.rows.map((row) =>
        h('tr', {}, ...row.map((value, index) => h('td', {}, cellText(result.columns[index] ?? '', value)))),
      ),
    ),
  );
}

/** Reach rate by local hour (columns) × weekday (rows), each cell shaded by its rate. @param {any} result */
function heatmap(result) {
  const columns = result.columns;
  const at = (/** @type {string} */ name) => columns.indexOf(name);
  /** @type {Map<string, { share: number | null, attempts: number | null }>} */
  const cells = new Map();
  const hours = new Set();
  for (const row of result.rows) {
    cells.set(`${row[at('weekday')]}:${row[at('hour')]}`, { share: row[at('share')], attempts: row[at('attempts')] });
    hours.add(row[at('hour')]);
  }
  const ordered = [...hours].sort((a, b) => a - b);
  return h(
    'table',
    { class: 'heatmap', 'aria-label': 'Reach rate by local hour and weekday' },
    h('caption', {}, 'Reach rate by local hour × weekday (share of calls a person answered)'),
    h('thead', {}, h('tr', {}, h('th', {}, ''), ...ordered.map((hour) => h('th', { scope: 'col' }, `${hour}:00`)))),
    h(
      'tbody',
      {},
      ...WEEKDAYS.map((day, index) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, day),
          ...ordered.map((hour) => {
            const cell = cells.get(`${index + 1}:${hour}`);
            const share = cell?.share ?? null;
            return h(
              'td',
              {
                class: 'heat',
                style: share === null ? undefined : `background: rgba(37, 99, 235, ${(0.1 + share * 0.8).toFixed(2)})`,
                title: cell === undefined ? 'no calls' : `${cellText('attempts', cell.attempts)} calls`,
              },
              cell === undefined ? '' : cellText('share', share),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * @param {{ campaign: any, date: string }} options
 * @returns {{ element: HTMLElement, stop(): void }}
 */
export function analysisView({ campaign, date }) {
  const questions = campaign.script.questions.map((/** @type {{ id: string }} */ question) => question.id);
  const dimensions = campaign.analytics?.dimensions ?? [];
  const range = { campaign: campaign.id, from: daysBefore(date, 29), to: date };
  const segment = dimensions[0];
  const [first, second] = questions;
  /** @type {Array<{ id: string, title: string, name: string, query: Record<string, string | undefined> }>} */
  const sections = [
    { id: 'hours', title: 'Reach by hour and weekday', name: 'hours', query: {} },
    {
      id: 'answers',
      title: `Answers to ${first} by ${segment ?? 'campaign'}`,
      name: 'answers',
      query: { question: first, by: segment },
    },
    {
      id: 'crosstab',
      title: `Cross-tab: ${first} by ${second ?? segment}`,
      name: 'crosstab',
      query: { question: first, by: second ?? segment },
    },
    { id: 'funnel', title: 'Funnel', name: 'funnel', query: {} },
    { id: 'trend', title: 'Reach rate per day', name: 'trend', query: { of: 'outcomes' } },
  ];
  const element = h(
    'section',
    { class: 'analysis', 'aria-labelledby': 'analysis-title' },
    h('h2', { id: 'analysis-title' }, `${campaign.name}: analysis, ${range.from} … ${range.to}`),
    h(
      'p',
      { class: 'muted' },
      'From the analytics facts (Athena in AWS, DuckDB locally). Cells counting fewer contacts than the stage minimum show as –.',
    ),
  );
  /** @type {Array<{ destroy(): void }>} */
  const charts = [];
  let stopped = false;
  for (const section of sections) {
    if (section.name === 'crosstab' && section.query.by === undefined) continue;
    const query = { ...range, ...section.query };
    const body = h('div', { class: 'analysis-body' }, h('p', { class: 'muted' }, 'Loading…'));
    element.append(
      h(
        'section',
        { class: 'card', id: `analysis-${section.id}`, 'aria-label': section.title },
        h('h3', {}, section.title),
        body,
        h(
          'div',
          { class: 'controls' },
          h('a', { href: analysisPath(section.name, { ...query, format: 'csv' }), download: '' }, 'Download CSV'),
          h('a', { href: analysisPath(section.name, { ...query, format: 'xlsx' }), download: '' }, 'Download Excel'),
        ),
      ),
    );
    api('GET', analysisPath(section.name, query))
      .then((result) => {
        if (stopped) return;
        if (section.name === 'hours') body.replaceChildren(heatmap(result));
        else if (section.name === 'trend') {
          const chart = timeChart('Reach rate per day', 'reach %', [{ label: 'reach rate', stroke: '#2563eb' }]);
          charts.push(chart);
          body.replaceChildren(chart.element, table(result, 'Outcomes per day'));
          const reached = result.rows.filter(
            (/** @type {any[]} */ row) => row[result.columns.indexOf('outcome')] === 'REACHED',
          );
          chart.history(
            reached.map((/** @type {any[]} */ row) => ({
              at: new Date(`${row[0]}T12:00:00Z`),
              values: [
                row[result.columns.indexOf('share')] === null ? null : row[result.columns.indexOf('share')] * 100,
              ],
            })),
          );
        } else body.replaceChildren(table(result, section.title));
        body.append(
          h('p', { class: 'muted' }, `${result.suppressed} cell(s) suppressed · facts as of ${result.freshAsOf}`),
        );
      })
      .catch((error) => {
        if (!stopped) body.replaceChildren(h('div', { class: 'notice error', role: 'alert' }, describeError(error)));
      });
  }
  return {
    element,
    stop() {
      stopped = true;
      for (const chart of charts) chart.destroy();
    },
  };
}
