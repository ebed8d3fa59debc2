// @ts-check
/**
 * The run view of one campaign and date: progress, calls in flight against the cap, dial rate, outcomes, answers,
 * the next due attempt, recent alerts, run controls, list upload and report downloads. Refreshes every few seconds.
 */
import { ApiError, ApiUnreachable, api, campaignPath, describeError } from './api.js';
import { bars, timeChart } from './charts.js';
import { clock, count, dollars, h, oneDecimal, PAGE_LOCALE, percent, relative } from './format.js';
import { listSummary, uploadPanel } from './upload.js';

const REFRESH_MS = 3000;
const SLOW_REFRESH_MS = 10_000;
const RATE_WINDOW_MS = 15_000;
const ACTIVE = new Set(['RUNNING', 'PAUSED', 'STOPPING']);
/** A Lambda error's cause is its JSON (errorType, errorMessage, trace): the message is what a person reads. */
function causeText(/** @type {string} */ cause) {
  try {
    const parsed = JSON.parse(cause);
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  return cause.length > 300 ? `${cause.slice(0, 300)}…` : cause;
}

const TONES = /** @type {Record<string, string>} */ ({
  COMPLETED: 'good',
  PARTIAL: 'fair',
  OPTED_OUT: 'fair',
  TRANSFERRED: 'good',
  NO_ANSWER: 'muted',
  BUSY: 'muted',
  VOICEMAIL: 'muted',
  FAILED: 'bad',
  INVALID_NUMBER: 'bad',
  UNKNOWN: 'bad',
  EXPIRED: 'bad',
  CAPPED: 'muted',
  ERASED: 'muted',
});

/**
 * @typedef {{ ok: boolean, message: string, detail?: string }} Connection
 * @param {{ campaign: any, date: string, onDateChange: (date: string) => void, onConnection: (c: Connection) => void }} options
 */
export function runView({ campaign, date, onDateChange, onConnection }) {
  const campaignId = campaign.id;
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** Attempts started as seen by recent refreshes: the measured dial rate is their slope over RATE_WINDOW_MS. */
  /** @type {{ at: number, started: number }[]} */
  const samples = [];
  let refreshes = 0;
  /** The run's history is read once, with the first status of a run. */
  let historyLoaded = false;
  /** The lists are read every fifth refresh, and at once after an upload. */
  let listsDue = true;
  /** A control action is being sent: every control stays disabled. */
  let acting = false;
  /** Refreshes run one at a time; one asked for meanwhile runs right after (so no older answer lands last). */
  let refreshing = false;
  let refreshAgain = false;

  const statusBadge = h('span', { class: 'badge', 'data-testid': 'run-status' }, '…');
  const notices = h('div', { class: 'notices' });
  /** The last control action's failure: kept until the next action (refreshes do not clear it). */
  const actionNotice = h('div', { class: 'notices' });
  const controls = h('div', { class: 'controls', role: 'group', 'aria-label': 'Run controls' });
  const progressBar = /** @type {HTMLProgressElement} */ (
    h('progress', { max: 1, value: 0, 'aria-labelledby': 'progress-text' })
  );
  const progressText = h('p', { id: 'progress-text', 'data-testid': 'progress-text' }, 'No run yet');
  const tiles = h('dl', { class: 'tiles' });
  const inFlightChart = timeChart('Calls in flight', 'calls', [
    { label: 'this run', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.12)' },
    { label: 'all runs', stroke: '#8250df' },
    { label: 'cap', stroke: '#cf222e', dash: [6, 4] },
  ]);
  const rateChart = timeChart('Dial rate', 'dials / s', [
    { label: 'measured', stroke: '#1a7f37', fill: 'rgba(26,127,55,0.12)' },
    { label: 'pacing allows', stroke: '#9a6700' },
    { label: 'quota', stroke: '#cf222e', dash: [6, 4] },
  ]);
  const outcomes = h('div', { class: 'panel' });
  const statuses = h('div', { class: 'panel' });
  const policy = h('div', { class: 'panel', 'data-testid': 'contact-policy' });
  const questions = h('div', { class: 'questions' });
  const alerts = h('div', { class: 'panel', 'aria-live': 'polite' });
  const lists = h('div', { class: 'lists' });
  const reports = reportPanel();

  const dateInput = /** @type {HTMLInputElement} */ (h('input', { type: 'date', id: 'run-date', value: date }));
  // Typing a date fires change at every keystroke (year 0002, 0020, …): the view changes once the date is complete.
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let dateTimer;
  dateInput.addEventListener('change', () => {
    clearTimeout(dateTimer);
    const value = dateInput.value;
    if (/^(19|20)\d\d-\d\d-\d\d$/.test(value) && value !== date) dateTimer = setTimeout(() => onDateChange(value), 800);
  });

  const element = h(
    'article',
    { class: 'run', 'aria-labelledby': 'run-title' },
    h(
      'header',
      { class: 'run-header' },
      h(
        'div',
        {},
        h('h2', { id: 'run-title', tabindex: -1 }, campaign.name ?? campaignId),
        h('p', { class: 'muted' }, `${campaignId} · ${campaign.timeZone ?? ''}`),
      ),
      h('div', { class: 'run-date' }, h('label', { for: 'run-date' }, 'Run date'), dateInput),
      h('div', { class: 'run-state' }, statusBadge, controls),
    ),
    notices,
    actionNotice,
    h('section', { class: 'progress', 'aria-label': 'Progress' }, progressBar, progressText),
    tiles,
    h('div', { class: 'charts' }, inFlightChart.element, rateChart.element),
    h('div', { class: 'columns' }, outcomes, statuses),
    policy,
    questions,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        {},
        uploadPanel(campaignId, date, () => {
          listsDue = true;
          void refresh();
        }),
        lists,
      ),
      h('div', {}, reports.element, alerts),
    ),
  );

  /** @param {string} text @param {'error' | 'warning' | 'info'} tone */
  function notice(text, tone) {
    return h('div', { class: `notice ${tone}`, role: tone === 'error' ? 'alert' : 'status' }, text);
  }

  /** @param {string} action @param {string} path @param {unknown} [body] */
  async function act(action, path, body) {
    acting = true;
    renderControls(shownStatus);
    actionNotice.replaceChildren();
    try {
      await api(
        'POST',
        campaignPath(campaignId, path),
        body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      );
      if (path === '/runs') starting = { from: shownStatus, until: Date.now() + 15_000 };
    } catch (error) {
      actionNotice.replaceChildren(notice(`Could not ${action}: ${describeError(error)}`, 'error'));
    }
    acting = false;
    await refresh();
  }

  // The buttons are made once and updated in place, so keyboard focus survives the refreshes.
  const button = (/** @type {string} */ label, /** @type {() => void} */ onclick, primary = false) =>
    /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', class: primary ? 'primary' : undefined, disabled: true, onclick }, label)
    );
  const startButton = button('Start', () => void act('start the run', '/runs', { date }), true);
  const pauseButton = button('Pause', () => void act('pause', `/runs/${date}/pause`));
  const resumeButton = button('Resume', () => void act('resume', `/runs/${date}/resume`));
  const stopButton = button('Stop', () => {
    if (confirm(`Stop the run of ${campaignId} for ${date}? Calls in progress finish; nobody else is called today.`)) {
      void act('stop', `/runs/${date}/stop`);
    }
  });
  controls.append(startButton, pauseButton, resumeButton, stopButton);
  /** The status seen last, and the one a started run must leave (Start stays disabled until Init has opened it). */
  /** @type {string | undefined} */
  let shownStatus;
  /** @type {{ from: string | undefined, until: number } | undefined} */
  let starting;

  /** @param {string | undefined} status */
  function renderControls(status) {
    shownStatus = status;
    if (starting && (status !== starting.from || Date.now() > starting.until)) starting = undefined;
    const active = (status !== undefined && ACTIVE.has(status)) || starting !== undefined;
    startButton.textContent = status === 'FINISHED' || status === 'FAILED' ? 'Start again' : 'Start';
    startButton.disabled = acting || active;
    pauseButton.disabled = acting || status !== 'RUNNING';
    resumeButton.disabled = acting || status !== 'PAUSED';
    stopButton.disabled = acting || !(status === 'RUNNING' || status === 'PAUSED');
  }

  /**
   * @param {string} term
   * @param {string} value
   * @param {string} [detail]
   */
  const tile = (term, value, detail) =>
    h('div', { class: 'tile' }, h('dt', {}, term), h('dd', {}, value, detail ? h('small', {}, detail) : null));

  /**
   * What the finish estimate adds (functions/handlers/schedules/run-estimates.ts): contacts left, and when the run is
   * late, how many will wait at the window's close and what to raise.
   * @param {any} estimate
   */
  function estimateDetail(estimate) {
    if (!estimate) return 'not estimated yet';
    if (!estimate.late) return `${count(estimate.remaining)} contacts left · in the window`;
    const raise = [
      estimate.raise?.lines ? `lines to ${count(estimate.raise.lines)}` : '',
      estimate.raise?.dialsPerSecond ? `rate to ${oneDecimal(estimate.raise.dialsPerSecond)} /s` : '',
    ].filter(Boolean);
    return `late: ${count(estimate.waitingAtWindowClose)} waiting at ${clock(estimate.windowClosesAt)}${raise.length ? ` · raise ${raise.join(', ')}` : ''}`;
  }

  /** @param {any} status @param {any} summary @param {number | undefined} measuredRate */
  function renderRun(status, summary, measuredRate) {
    statusBadge.textContent = status.status;
    statusBadge.className = `badge status-${status.status.toLowerCase()}`;
    renderControls(status.status);
    const total = summary?.contacts.total ?? 0;
    const finished = summary?.contacts.finished ?? 0;
    progressBar.max = Math.max(1, total);
    progressBar.value = finished;
    progressText.textContent = `${count(finished)} of ${count(total)} contacts done (${percent(total ? finished / total : 0)})${status.finishedAt ? ` · finished ${clock(status.finishedAt)}` : ''}`;
    tiles.replaceChildren(
      tile(
        'Calls in flight',
        `${count(status.callsInFlight)} / ${count(status.caps.maxConcurrentCalls)}`,
        `all runs ${count(status.engineCallsInFlight)}`,
      ),
      tile(
        'Dial rate',
        measuredRate === undefined ? '–' : `${oneDecimal(measuredRate)} /s`,
        `pacing ${oneDecimal(status.dialRate)} of ${oneDecimal(status.caps.dialsPerSecond)} /s`,
      ),
      tile('Reached', percent(summary?.reachRate), `completed ${percent(summary?.completionRate)}`),
      tile(
        'Attempts',
        count(summary?.attempts.started),
        `mean call ${summary?.meanCallSeconds === undefined ? '–' : `${oneDecimal(summary.meanCallSeconds)} s`}`,
      ),
      tile(
        'Next due attempt',
        status.nextDueAt ? clock(status.nextDueAt) : '–',
        status.nextDueAt && Date.parse(status.nextDueAt) <= Date.now()
          ? 'due now, waiting for a line'
          : relative(status.nextDueAt),
      ),
      tile(
        'Estimated finish',
        status.estimate ? clock(status.estimate.finishAt) : '–',
        estimateDetail(status.estimate),
      ),
      tile(
        'Follow-ups',
        `${count(summary?.followUps.sent)} sent`,
        `${count(summary?.followUps.failed)} failed · ${count(summary?.optOuts)} opted out`,
      ),
      tile(
        'Run cost',
        `engine ${dollars(summary?.cost?.engine.total)}`,
        `${(summary?.cost?.engine.byService ?? []).map((/** @type {{ service: string, usd: number }} */ entry) => `${entry.service} ${dollars(entry.usd)}`).join(' · ')}` +
          ` · calls and SMS ${dollars(summary?.cost?.telephony.total)}`,
      ),
      tile(
        'Frequency caps',
        `${count(status.policy?.caps.holds)} held`,
        `${count(status.policy?.caps.capped)} capped · ${status.policy?.lawfulBasis ?? '–'}`,
      ),
    );
    renderPolicy(status.policy);
    const now = new Date();
    inFlightChart.push(now, [status.callsInFlight, status.engineCallsInFlight, status.caps.maxConcurrentCalls]);
    rateChart.push(now, [measuredRate ?? null, status.dialRate, status.caps.dialsPerSecond]);
    const outcomeRows = Object.entries(status.outcomes ?? {}).sort((a, b) => b[1] - a[1]);
    outcomes.replaceChildren(
      h('h3', {}, 'Call outcomes'),
      outcomeRows.length === 0
        ? h('p', { class: 'muted' }, 'No calls have ended yet.')
        : bars(outcomeRows.map(([label, value]) => ({ label, value, tone: TONES[label] }))),
    );
    const statusRows = Object.entries(status.contacts ?? {}).sort((a, b) => b[1] - a[1]);
    statuses.replaceChildren(
      h('h3', {}, 'Contacts by status'),
      bars(
        statusRows.map(([label, value]) => ({ label, value, tone: TONES[label] })),
        total || undefined,
      ),
    );
    questions.replaceChildren(
      ...(summary?.questions ?? []).map((/** @type {any} */ question) =>
        h(
          'section',
          { class: 'panel question' },
          h('h3', {}, `${question.id}: ${question.prompt}`),
          h('p', { class: 'muted' }, `${count(question.answered)} answered`),
          bars(
            question.answers.map((/** @type {any} */ answer) => ({
              label: `${answer.key} · ${answer.label}`,
              value: answer.count,
              note: `${count(answer.count)} (${percent(answer.share)})`,
            })),
            Math.max(1, question.answered),
          ),
        ),
      ),
    );
    reports.update(summary);
  }

  /** Purpose and lawful basis, the caps holding the campaign (and its exemptions), the caller-ID pool's use. */
  /** @param {any} state */
  function renderPolicy(state) {
    if (state === undefined) {
      policy.replaceChildren();
      return;
    }
    const rules = state.caps.rules.map((/** @type {any} */ rule) =>
      h(
        'li',
        {},
        `${rule.id}: at most ${rule.max} ${rule.counts === 'ANSWERED' ? 'answered calls' : 'calls'} within ${rule.within}`,
        rule.description ? h('small', {}, ` (${rule.description})`) : null,
      ),
    );
    const exemptions = state.caps.exemptions.map((/** @type {any} */ exemption) =>
      h('li', {}, `exempt from ${exemption.rule}: ${exemption.reason}`),
    );
    const overrides = state.legalHoursOverrides.map((/** @type {any} */ override) =>
      h('li', {}, `legal hours of ${override.country} not applied: ${override.reason}`),
    );
    policy.replaceChildren(
      h('h3', {}, 'Contact policy'),
      h(
        'p',
        {},
        `${state.purpose.toLowerCase()} · lawful basis ${state.lawfulBasis}${state.category ? ` · category ${state.category}` : ''} · `,
        `${count(state.caps.holds)} held by a cap, ${count(state.caps.capped)} capped`,
      ),
      rules.length + exemptions.length + overrides.length === 0
        ? h('p', { class: 'muted' }, 'No frequency cap applies to this campaign.')
        : h('ul', {}, ...rules, ...exemptions, ...overrides),
      state.callerIds === undefined
        ? h('p', { class: 'muted' }, 'Calls from the campaign’s caller ID (no pool).')
        : h(
            'table',
            { class: 'caller-ids' },
            h('caption', {}, `Caller-ID pool ${state.callerIds.pool}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Number'),
                h('th', { scope: 'col' }, 'Calls this run'),
                h('th', { scope: 'col' }, 'Tiers now'),
              ),
            ),
            h(
              'tbody',
              {},
              ...state.callerIds.numbers.map((/** @type {any} */ entry) =>
                h(
                  'tr',
                  {},
                  h('td', {}, entry.number),
                  h('td', {}, count(entry.calls)),
                  h(
                    'td',
                    {},
                    entry.tiers
                      .map((/** @type {any} */ tier) => `${tier.used}/${tier.max} per ${tier.per}`)
                      .join(' · '),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  function renderNoRun() {
    statusBadge.textContent = 'NO RUN';
    statusBadge.className = 'badge';
    renderControls(undefined);
    progressBar.value = 0;
    progressText.textContent = `No run of ${campaignId} for ${date} yet: upload the day’s list, then start the run.`;
    tiles.replaceChildren();
    outcomes.replaceChildren();
    statuses.replaceChildren();
    policy.replaceChildren();
    questions.replaceChildren();
    reports.update(undefined);
  }

  /** @param {any[]} sent */
  function renderAlerts(sent) {
    alerts.replaceChildren(
      h('h3', {}, 'Recent alerts'),
      sent.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h(
            'ul',
            { class: 'alerts' },
            ...sent.map((alert) =>
              h(
                'li',
                {},
                h('strong', {}, alert.subject),
                h('time', { datetime: alert.sentAt }, clock(alert.sentAt)),
                h('p', {}, alert.message),
              ),
            ),
          ),
    );
    return sent;
  }

  async function refreshLists() {
    const answer = await api('GET', campaignPath(campaignId, `/lists?date=${date}`));
    lists.replaceChildren(
      ...(answer.lists.length === 0
        ? [h('p', { class: 'muted' }, `No list uploaded for ${date}.`)]
        : [
            h('h3', {}, `Lists for ${date}`),
            ...answer.lists.map((/** @type {any} */ list) =>
              h(
                'div',
                { class: 'panel' },
                h('p', { class: 'muted' }, `${list.listId} · ${clock(list.createdAt)}`),
                listSummary(list),
              ),
            ),
          ]),
    );
  }

  /**
   * The run's history before the page opened (a sample a minute), drawn once behind the live points. Charts
   * simply start at the page's first point when it cannot be read.
   * @param {{ maxConcurrentCalls: number, dialsPerSecond: number }} caps
   */
  async function loadHistory(caps) {
    historyLoaded = true;
    const answer = await optional(`/runs/${date}/history`).catch(() => undefined);
    if (stopped || answer === undefined) return;
    /** @type {{ at: string, inFlight: number, dialRate: number, attemptsStarted: number }[]} */
    const history = answer.samples;
    inFlightChart.history(
      history.map((sample) => ({ at: new Date(sample.at), values: [sample.inFlight, null, caps.maxConcurrentCalls] })),
    );
    rateChart.history(
      history.map((sample, index) => {
        const before = history[index - 1];
        const seconds = before ? (Date.parse(sample.at) - Date.parse(before.at)) / 1000 : 0;
        const measured = before && seconds > 0 ? (sample.attemptsStarted - before.attemptsStarted) / seconds : null;
        return { at: new Date(sample.at), values: [measured, sample.dialRate, caps.dialsPerSecond] };
      }),
    );
  }

  /** @param {string} path */
  const optional = (path) =>
    api('GET', campaignPath(campaignId, path)).catch((error) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });

  async function refresh() {
    if (stopped) return;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    clearTimeout(timer);
    let next = REFRESH_MS;
    try {
      const [status, summary, sent] = await Promise.all([
        optional(`/runs/${date}`),
        optional(`/reports/${date}`),
        // The side panels keep their last content when they cannot be read; the run's figures still refresh.
        api('GET', `/alerts?campaignId=${encodeURIComponent(campaignId)}&limit=5`).then(
          (answer) => answer.alerts,
          () => undefined,
        ),
        listsDue || refreshes % 5 === 0
          ? refreshLists().then(
              () => {
                listsDue = false;
              },
              () => undefined,
            )
          : undefined,
      ]);
      refreshes += 1;
      onConnection({ ok: true, message: 'Live', detail: `updated ${new Date().toLocaleTimeString(PAGE_LOCALE)}` });
      notices.replaceChildren();
      element.classList.remove('stale');
      if (sent !== undefined) renderAlerts(sent);
      if (status === undefined) {
        renderNoRun();
        next = SLOW_REFRESH_MS;
      } else {
        const started = summary?.attempts.started ?? 0;
        const at = Date.now();
        samples.push({ at, started });
        while (samples.length > 2 && at - (samples[1]?.at ?? at) >= RATE_WINDOW_MS) samples.shift();
        const first = samples[0];
        const measured = first && at > first.at ? ((started - first.started) * 1000) / (at - first.at) : undefined;
        renderRun(status, summary, measured);
        if (!historyLoaded) void loadHistory(status.caps);
        if (status.status === 'FAILED') {
          const failure = status.failure;
          notices.append(
            notice(
              `The run failed${failure ? ` at ${clock(failure.at)} with ${failure.error}: ${causeText(failure.cause)}` : ''}. ` +
                'Fix the cause, then press Start again: the run resumes where it stopped.',
              'error',
            ),
          );
        }
        if (!ACTIVE.has(status.status)) next = SLOW_REFRESH_MS;
      }
    } catch (error) {
      const down = error instanceof ApiUnreachable;
      onConnection({ ok: false, message: down ? 'API unreachable: retrying' : 'API error' });
      element.classList.add('stale');
      notices.replaceChildren(
        notice(
          down
            ? `The API is not answering (${error.message}). The page keeps retrying every few seconds.`
            : describeError(error),
          'error',
        ),
      );
    }
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      return refresh();
    }
    if (!stopped) timer = setTimeout(() => void refresh(), starting ? 1000 : next);
  }

  function reportPanel() {
    const select = /** @type {HTMLSelectElement} */ (
      h('select', { id: 'answer-filter' }, h('option', { value: '' }, 'everyone'))
    );
    const state = h('p', { class: 'muted', 'aria-live': 'polite' });
    /** @param {'csv' | 'xlsx'} format */
    async function download(format) {
      if (exporting) return;
      exporting = true;
      csv.disabled = xlsx.disabled = true;
      state.textContent = `Preparing the ${format.toUpperCase()} export…`;
      try {
        const query = select.value ? `?answer=${encodeURIComponent(select.value)}` : '';
        const link = await finishedExport(
          await api('GET', campaignPath(campaignId, `/reports/${date}/contacts.${format}${query}`)),
        );
        if (link === undefined) return;
        state.textContent = `${count(link.rows)} contacts exported.`;
        const anchor = h('a', { href: link.url, download: '' });
        document.body.append(anchor);
        anchor.click();
        anchor.remove();
      } catch (error) {
        state.textContent = '';
        state.append(notice(`Export failed: ${describeError(error)}`, 'error'));
      }
      exporting = false;
      csv.disabled = xlsx.disabled = !hasRun;
    }
    /**
     * A large export answers 202 while the export worker writes it: its status URL is asked every 1 to 3 s, with the
     * rows written so far on screen, until it is done (the server reports a lost or overdue job as FAILED).
     * Undefined when the view was left meanwhile.
     * @param {any} answer
     * @returns {Promise<any>}
     */
    async function finishedExport(answer) {
      let job = answer;
      let pause = 1000;
      let failedPolls = 0;
      while (job.status === 'RUNNING') {
        const text = `Exporting… ${count(job.rows)} contacts so far.`;
        if (state.textContent !== text) state.textContent = text;
        await new Promise((resolve) => setTimeout(resolve, pause));
        if (stopped) return undefined;
        pause = Math.min(pause + 1000, 3000);
        try {
          job = await api('GET', answer.statusUrl);
          failedPolls = 0;
        } catch (error) {
          // The export continues on the server: a moment without the API does not end it here.
          failedPolls += 1;
          if (!(error instanceof ApiUnreachable) || failedPolls >= 10) throw error;
        }
      }
      if (job.status === 'FAILED') throw new Error(job.error ?? 'no reason given');
      return job;
    }
    const csv = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', onclick: () => void download('csv') }, 'Download CSV')
    );
    const xlsx = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', onclick: () => void download('xlsx') }, 'Download Excel')
    );
    let filters = '';
    let exporting = false;
    let hasRun = false;
    return {
      element: h(
        'section',
        { class: 'panel', 'aria-labelledby': 'reports-title' },
        h('h3', { id: 'reports-title' }, 'Report'),
        h('p', {}, h('label', { for: 'answer-filter' }, 'Contacts: '), select),
        h('div', { class: 'controls' }, csv, xlsx),
        state,
      ),
      /** @param {any} summary */
      update(summary) {
        hasRun = summary !== undefined;
        csv.disabled = xlsx.disabled = exporting || !hasRun;
        /** @type {{ value: string, text: string }[]} */
        const options = (summary?.questions ?? []).flatMap((/** @type {any} */ question) =>
          question.answers.map((/** @type {any} */ answer) => ({
            value: `${question.id}:${answer.key}`,
            text: `who answered ${question.id} = ${answer.key} (${answer.label})`,
          })),
        );
        const key = options.map((option) => option.value).join(',');
        if (key === filters) return;
        filters = key;
        const chosen = select.value;
        select.replaceChildren(
          h('option', { value: '' }, 'everyone'),
          ...options.map((option) => h('option', { value: option.value }, option.text)),
        );
        select.value = options.some((option) => option.value === chosen) ? chosen : '';
      },
    };
  }

  void refresh();
  return {
    element,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(dateTimer);
      inFlightChart.destroy();
      rateChart.destroy();
    },
  };
}
