// @ts-check
/**
 * Time-series charts (uPlot): the run's history (a point a minute) followed by what the page has seen since it opened.
 * Axes and legends are written in the page's locale and the browser's time zone (uPlot's own formats are US English).
 */
// format.js first: it makes an unusable `navigator.language` usable before uPlot reads it as it loads.
import { PAGE_LOCALE } from './format.js';
import uPlot from './uplot.js';

/** Points kept per chart: a day of history at one a minute, and 30 minutes at one every 3 s. */
const MAX_POINTS = 1440 + 600;
const HEIGHT = 220;
const MINUTE = 60;
const DAY = 86_400;

const timeOfDay = new Intl.DateTimeFormat(PAGE_LOCALE, { hour: 'numeric', minute: '2-digit' });
const timeWithSeconds = new Intl.DateTimeFormat(PAGE_LOCALE, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const dayOfMonth = new Intl.DateTimeFormat(PAGE_LOCALE, { day: 'numeric', month: 'short' });
const pointTime = new Intl.DateTimeFormat(PAGE_LOCALE, { dateStyle: 'medium', timeStyle: 'medium' });
const number = new Intl.NumberFormat(PAGE_LOCALE, { maximumFractionDigits: 2 });

/**
 * The time axis' labels: the time of day (to the second when ticks are less than a minute apart), with the date under
 * the first tick of each day; only dates when ticks are days apart.
 * @param {number[]} splits the ticks, in seconds since the epoch
 * @param {number} increment seconds between ticks
 * @returns {string[]}
 */
export function timeAxisLabels(splits, increment) {
  let previousDay = '';
  return splits.map((seconds) => {
    const at = new Date(seconds * 1000);
    const day = dayOfMonth.format(at);
    const time = (increment < MINUTE ? timeWithSeconds : timeOfDay).format(at);
    const label = increment >= DAY ? day : day === previousDay ? time : `${time}\n${day}`;
    previousDay = day;
    return label;
  });
}

/** A legend or axis number in the page's locale; a gap in the data is a dash. @param {number | null | undefined} value */
const formatNumber = (value) => (value === null || value === undefined ? '–' : number.format(value));

/**
 * @typedef {{ label: string, stroke: string, dash?: number[], fill?: string }} Line
 * @typedef {{ at: Date, values: (number | null)[] }} Point
 * @typedef {{
 *   push(at: Date, values: (number | null)[]): void,
 *   history(points: Point[]): void,
 *   element: HTMLElement,
 *   destroy(): void,
 * }} TimeChart
 */

/**
 * A line chart over time with a fixed set of lines.
 * @param {string} title the chart's accessible name
 * @param {string} unit the y axis' label
 * @param {Line[]} lines
 * @returns {TimeChart}
 */
export function timeChart(title, unit, lines) {
  const element = document.createElement('figure');
  element.className = 'chart';
  element.setAttribute('aria-label', title);
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  /** @type {number[][]} */
  const data = [[], ...lines.map(() => [])];
  const plot = new uPlot(
    {
      width: 600,
      height: HEIGHT,
      scales: {
        // A single point gets a few minutes around it (uPlot would spread it over years).
        x: { time: true, range: (_u, min, max) => (min === max ? [min - 2 * MINUTE, max + 2 * MINUTE] : [min, max]) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        {
          values: (_u, splits, _axis, _space, increment) => {
            const labels = timeAxisLabels(splits, increment);
            // The axis is drawn on a canvas: its labels are also kept as text, for tests and readers.
            element.dataset.timeAxis = labels.join(' | ').replaceAll('\n', ' ');
            return labels;
          },
        },
        { label: unit, size: 60, values: (_u, splits) => splits.map(formatNumber) },
      ],
      series: [
        {
          label: 'Time',
          // Away from the chart the legend shows the latest point (uPlot's own shows "--").
          value: (_u, seconds, _series, index) => {
            const at = index === null ? data[0]?.at(-1) : seconds;
            return at === null || at === undefined ? '–' : pointTime.format(new Date(at * 1000));
          },
        },
        ...lines.map((line, lineIndex) => ({
          label: line.label,
          stroke: line.stroke,
          width: 2,
          dash: line.dash,
          fill: line.fill,
          spanGaps: false,
          /** @type {(u: uPlot, value: number | null, series: number, index: number | null) => string} */
          value: (_u, value, _series, index) => formatNumber(index === null ? data[lineIndex + 1]?.at(-1) : value),
        })),
      ],
      legend: { live: true },
    },
    /** @type {uPlot.AlignedData} */ (data),
    element,
  );
  element.prepend(caption);
  const resize = new ResizeObserver(() => {
    const width = Math.max(280, Math.floor(element.clientWidth));
    if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height: HEIGHT });
  });
  resize.observe(element);
  /** Redraws, and says on the element where its time axis starts (what a test or a reader can check). */
  const draw = () => {
    plot.setData(/** @type {uPlot.AlignedData} */ (data));
    const from = data[0]?.[0];
    if (from !== undefined) element.dataset.from = new Date(from * 1000).toISOString();
    const to = data[0]?.at(-1);
    if (to !== undefined) element.dataset.to = new Date(to * 1000).toISOString();
  };
  return {
    element,
    push(at, values) {
      data[0]?.push(at.getTime() / 1000);
      values.forEach((value, index) => {
        data[index + 1]?.push(/** @type {number} */ (value));
      });
      if ((data[0]?.length ?? 0) > MAX_POINTS) for (const column of data) column.shift();
      draw();
    },
    history(points) {
      // Only what happened before the first point the page saw itself, oldest first.
      const firstSeen = data[0]?.[0] ?? Number.POSITIVE_INFINITY;
      const earlier = points.filter((point) => point.at.getTime() / 1000 < firstSeen);
      data[0]?.unshift(...earlier.map((point) => point.at.getTime() / 1000));
      lines.forEach((_line, index) => {
        data[index + 1]?.unshift(...earlier.map((point) => /** @type {number} */ (point.values[index] ?? null)));
      });
      while ((data[0]?.length ?? 0) > MAX_POINTS) for (const column of data) column.shift();
      draw();
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/**
 * Horizontal bars with their values: outcomes, statuses, a question's answers. Plain HTML, so screen readers
 * and keyboard users get the numbers as text.
 * @param {{ label: string, value: number, note?: string, tone?: string }[]} rows
 * @param {number} [total] the 100 % of each bar (the largest value when omitted)
 */
export function bars(rows, total) {
  const list = document.createElement('ul');
  list.className = 'bars';
  const scale = total ?? Math.max(1, ...rows.map((row) => row.value));
  for (const row of rows) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = row.label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = `bar-fill${row.tone ? ` tone-${row.tone}` : ''}`;
    fill.style.width = `${scale > 0 ? Math.min(100, (row.value / scale) * 100) : 0}%`;
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = row.note ?? String(row.value);
    item.append(label, track, value);
    list.append(item);
  }
  return list;
}
