// @ts-check
/**
 * List upload: drag a file onto the drop zone (or choose one with the keyboard). Small CSV files go in the request
 * body; workbooks and large files are PUT straight to S3 through a presigned URL, with upload progress, and the
 * page then follows the import until it is done. Then it shows the import summary and the rejected rows.
 */
import { api, campaignPath, describeError } from './api.js';
import { count, h, size } from './format.js';

/** CSV files up to this size are sent in the request body (the API takes up to 6 MB). */
export const SMALL_LIST_BYTES = 5 * 1024 * 1024;
const POLL_MS = 1000;

/**
 * Sends a body with XMLHttpRequest (fetch reports no upload progress).
 * @param {string} method
 * @param {string} url
 * @param {Blob} body
 * @param {Record<string, string>} headers
 * @param {(share: number) => void} onProgress
 * @returns {Promise<{ status: number, text: string }>}
 */
function send(method, url, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => resolve({ status: request.status, text: request.responseText }));
    request.addEventListener('error', () =>
      reject(new Error(`the upload to ${new URL(url, location.href).host} failed`)),
    );
    request.send(body);
  });
}

/** @param {{ status: number, text: string }} response */
function parseApiAnswer(response) {
  /** @type {any} */
  let data;
  try {
    data = JSON.parse(response.text);
  } catch {
    data = undefined;
  }
  // 422: the list was read and refused as a whole; its view says why.
  if (response.status === 422 && data?.status === 'FAILED') return data;
  if (response.status >= 400) {
    const error = data?.error;
    const problems = (error?.problems ?? []).map((/** @type {any} */ p) => `${p.path}: ${p.message}`).join('; ');
    throw new Error(`${error?.message ?? `the API answered ${response.status}`}${problems ? ` (${problems})` : ''}`);
  }
  return data;
}

/** The page stops following an import after this long (the import itself goes on). */
const FOLLOW_LIMIT_MS = 15 * 60_000;

/** The file is uploaded and its import goes on, but the page has stopped following it. */
class StillImporting extends Error {}
/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Uploads one list file and resolves with the list's final view (status DONE or FAILED).
 * @param {File} file
 * @param {string} campaignId
 * @param {string} date
 * @param {(stage: string, share?: number) => void} report
 */
export async function uploadList(file, campaignId, date, report) {
  const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : 'csv';
  const query = `?date=${encodeURIComponent(date)}&format=${format}`;
  if (format === 'csv' && file.size <= SMALL_LIST_BYTES) {
    report(`Uploading ${file.name}`, 0);
    const response = await send(
      'POST',
      campaignPath(campaignId, `/lists${query}`),
      file,
      { 'content-type': 'text/csv' },
      (share) => report(`Uploading ${file.name}`, share),
    );
    const list = parseApiAnswer(response);
    if (list.status === 'DONE' || list.status === 'FAILED') return list;
    return followImport(campaignId, list.listId, report);
  }
  // The URL is made for this file's exact size; it takes one PUT, never an overwrite.
  const target = await api('POST', campaignPath(campaignId, `/lists/upload-url${query}&size=${file.size}`));
  report(`Uploading ${file.name} (${size(file.size)})`, 0);
  // The browser sets content-length itself (from the file); the other signed headers are sent as the API says.
  const { 'content-length': _length, ...signed } = target.headers ?? {};
  const put = await send('PUT', target.uploadUrl, file, signed, (share) =>
    report(`Uploading ${file.name} (${size(file.size)})`, share),
  );
  if (put.status >= 300) throw new Error(`the upload was refused by storage (HTTP ${put.status})`);
  return followImport(campaignId, target.listId, report);
}

/**
 * Polls a list until its import has finished.
 * @param {string} campaignId
 * @param {string} listId
 * @param {(stage: string, share?: number) => void} report
 */
async function followImport(campaignId, listId, report) {
  const since = Date.now();
  for (;;) {
    const list = await api('GET', campaignPath(campaignId, `/lists/${encodeURIComponent(listId)}`));
    if (list.status === 'DONE' || list.status === 'FAILED') return list;
    if (Date.now() - since > FOLLOW_LIMIT_MS) {
      throw new StillImporting(
        `List ${listId} is still ${list.status.toLowerCase()} after 15 minutes. The import continues on the server; ` +
          "its result will appear with the day's lists below.",
      );
    }
    const rows = list.progress?.rows;
    report(rows === undefined ? 'Waiting for the import to start' : `Importing: ${count(rows)} rows read`);
    await sleep(POLL_MS);
  }
}

/**
 * The import summary of one list: counts, reasons, the first rejected rows and the link to all of them.
 * @param {any} list
 */
export function listSummary(list) {
  if (list.status === 'FAILED') {
    return h(
      'div',
      { class: 'notice error', role: 'alert' },
      h('strong', {}, 'The list was refused: '),
      list.error?.message ?? 'unknown error',
      list.error?.line ? ` (line ${list.error.line})` : '',
    );
  }
  if (list.status !== 'DONE') {
    return h('p', { class: 'muted' }, `List ${list.listId}: ${list.status.toLowerCase().replace('_', ' ')}`);
  }
  const rejected = list.errors ?? [];
  return h(
    'div',
    { class: 'list-summary' },
    h(
      'p',
      {},
      h('strong', {}, `${count(list.accepted)} accepted`),
      ` of ${count(list.rows)} rows · ${count(list.rejected)} rejected · ${count(list.duplicates)} duplicates · ${count(list.suppressed)} on the do-not-call list`,
    ),
    rejected.length === 0
      ? null
      : h(
          'table',
          { class: 'rejected' },
          h('caption', {}, list.errorsTruncated ? 'First rejected rows' : 'Rejected rows'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Line'),
              h('th', { scope: 'col' }, 'Value'),
              h('th', { scope: 'col' }, 'Reason'),
            ),
          ),
          h(
            'tbody',
            {},
            ...rejected.map((/** @type {any} */ row) =>
              h('tr', {}, h('td', {}, row.line), h('td', {}, row.value || '(empty)'), h('td', {}, row.reason)),
            ),
          ),
        ),
    list.links?.rejectedCsv && list.rejected > 0
      ? h(
          'a',
          { href: list.links.rejectedCsv, download: `rejected-${list.listId}.csv` },
          'Download every rejected row (CSV)',
        )
      : null,
  );
}

/**
 * The upload panel: drop zone, progress and the result.
 * @param {string} campaignId
 * @param {string} date
 * @param {() => void} onImported called after an import has finished
 */
export function uploadPanel(campaignId, date, onImported) {
  const input = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'file',
      accept: '.csv,.txt,.xlsx',
      class: 'visually-hidden',
      tabindex: -1,
      'aria-hidden': 'true',
    })
  );
  const progress = /** @type {HTMLProgressElement} */ (
    h('progress', { max: 1, hidden: true, 'aria-label': 'Upload progress' })
  );
  const stage = h('p', { class: 'muted', 'aria-live': 'polite' });
  const result = h('div', { 'aria-live': 'polite' });
  const choose = h('button', { type: 'button', onclick: () => input.click() }, 'Choose a file…');
  const zone = h(
    'div',
    { class: 'dropzone', 'data-testid': 'dropzone' },
    h('p', {}, 'Drop the day’s list here (CSV or Excel), or ', choose),
    h(
      'p',
      { class: 'muted' },
      `For ${date}. Files over ${size(SMALL_LIST_BYTES)} and workbooks go straight to storage.`,
    ),
  );

  let busy = false;
  /** @param {File} file */
  async function handle(file) {
    if (busy) return;
    busy = true;
    zone.classList.add('busy');
    result.replaceChildren();
    progress.hidden = false;
    progress.removeAttribute('value');
    try {
      const list = await uploadList(file, campaignId, date, (text, share) => {
        stage.textContent = share === undefined ? text : `${text}: ${Math.round(share * 100)} %`;
        if (share === undefined) progress.removeAttribute('value');
        else progress.value = share;
      });
      stage.textContent = `${file.name}: ${list.status === 'DONE' ? 'imported' : 'refused'}`;
      result.replaceChildren(listSummary(list));
      onImported();
    } catch (error) {
      stage.textContent = '';
      result.replaceChildren(
        error instanceof StillImporting
          ? h('div', { class: 'notice warning', role: 'status' }, error.message)
          : h('div', { class: 'notice error', role: 'alert' }, `Upload failed: ${describeError(error)}`),
      );
    } finally {
      progress.hidden = true;
      busy = false;
      zone.classList.remove('busy');
      input.value = '';
    }
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void handle(file);
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) void handle(file);
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'upload-title' },
    h('h3', { id: 'upload-title' }, 'Upload a list'),
    zone,
    input,
    progress,
    stage,
    result,
  );
}
