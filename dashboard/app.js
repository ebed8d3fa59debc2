// @ts-check
/**
 * The dashboard's shell: the campaign list, the connection state and the route (`#/<campaignId>/<date>`).
 */

import { analysisView } from './analysis-view.js';
import { api, campaignPath, describeError } from './api.js';
import { h, todayIn } from './format.js';
import { runView } from './run-view.js';

const campaignList = /** @type {HTMLElement} */ (document.getElementById('campaigns'));
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const connection = /** @type {HTMLElement} */ (document.getElementById('connection'));

/** @type {{ stop(): void } | undefined} */
let current;
/** @type {{ id: string, name: string }[]} */
let campaigns = [];

const connectionState = /** @type {HTMLElement} */ (document.getElementById('connection-state'));
const connectionDetail = /** @type {HTMLElement} */ (document.getElementById('connection-detail'));

/**
 * The connection line. Its state is a live region, changed (so announced) only when the state changes; the time of
 * the last update sits beside it, out of the live region, so screen readers are not told it every refresh.
 * @param {{ ok: boolean, message: string, detail?: string }} state
 */
function showConnection(state) {
  if (connectionState.textContent !== state.message) connectionState.textContent = state.message;
  connectionDetail.textContent = state.detail ? ` · ${state.detail}` : '';
  connection.className = `connection ${state.ok ? 'ok' : 'down'}`;
}

/** The route in the address bar: campaign and date, or nothing. */
function route() {
  // Only `#/…` is a route: other fragments (the skip link's `#main`) are in-page links.
  if (!location.hash.startsWith('#/')) return { campaignId: undefined, date: undefined, page: 'run' };
  let parts;
  try {
    parts = location.hash.slice(2).split('/').map(decodeURIComponent);
  } catch {
    return { campaignId: undefined, date: undefined, page: 'run' };
  }
  const [campaignId, date, page] = parts;
  return {
    campaignId: campaignId || undefined,
    date: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined,
    page: page === 'analysis' ? 'analysis' : 'run',
  };
}

function renderCampaignList() {
  const { campaignId } = route();
  campaignList.replaceChildren(
    ...campaigns.map((campaign) =>
      h(
        'li',
        {},
        h(
          'a',
          {
            href: `#/${encodeURIComponent(campaign.id)}`,
            'aria-current': campaign.id === campaignId ? 'page' : undefined,
          },
          h('span', {}, campaign.name),
          h('small', {}, campaign.id),
        ),
      ),
    ),
  );
  if (campaigns.length === 0) {
    campaignList.replaceChildren(
      h('li', { class: 'muted' }, 'No campaigns yet: PUT one with `npx campaign campaigns put <file>`.'),
    );
  }
}

async function loadCampaigns() {
  try {
    campaigns = (await api('GET', '/campaigns')).campaigns;
    showConnection({ ok: true, message: 'Connected' });
  } catch (error) {
    showConnection({ ok: false, message: 'API unreachable: retrying' });
    campaignList.replaceChildren(
      h('li', { class: 'notice error', role: 'alert' }, `Cannot list campaigns: ${describeError(error)}`),
    );
    setTimeout(
      () =>
        void loadCampaigns().then((loaded) => {
          if (loaded) return show();
        }),
      5000,
    );
    return false;
  }
  renderCampaignList();
  return true;
}

/** Counts navigations: a campaign that arrives after the user moved on is dropped. */
let navigation = 0;

async function show() {
  if (location.hash !== '' && !location.hash.startsWith('#/')) return; // an in-page link, not a route
  const mine = ++navigation;
  current?.stop();
  current = undefined;
  renderCampaignList();
  const { campaignId, date, page } = route();
  if (campaignId === undefined) {
    main.replaceChildren(
      h(
        'section',
        { class: 'welcome' },
        h('h2', {}, 'Choose a campaign'),
        h('p', {}, 'Pick a campaign on the left to upload the day’s list, start the run and watch it live.'),
      ),
    );
    return;
  }
  let campaign;
  try {
    campaign = await api('GET', campaignPath(campaignId, '/definition'));
    if (mine !== navigation) return;
  } catch (error) {
    if (mine !== navigation) return;
    main.replaceChildren(
      h('div', { class: 'notice error', role: 'alert' }, `Cannot open campaign ${campaignId}: ${describeError(error)}`),
    );
    return;
  }
  if (date === undefined) {
    location.replace(`#/${encodeURIComponent(campaignId)}/${todayIn(campaign.timeZone)}`);
    return;
  }
  const base = `#/${encodeURIComponent(campaignId)}/${date}`;
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Views' },
    h('a', { href: base, 'aria-current': page === 'run' ? 'page' : undefined }, 'Run'),
    h('a', { href: `${base}/analysis`, 'aria-current': page === 'analysis' ? 'page' : undefined }, 'Analysis'),
  );
  const view =
    page === 'analysis'
      ? analysisView({ campaign, date })
      : runView({
          campaign,
          date,
          onDateChange: (next) => {
            location.hash = `#/${encodeURIComponent(campaignId)}/${next}`;
          },
          onConnection: showConnection,
        });
  current = view;
  main.replaceChildren(tabs, view.element);
}

window.addEventListener('hashchange', () => void show());
// The skip link moves focus to the run without touching the route in the address bar.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
if (await loadCampaigns()) await show();
