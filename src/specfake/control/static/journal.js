// The Requests tab: the journal, live. Entries arrive from the event stream; the table shows
// the newest MAX_ROWS that pass the filters (a full journal never becomes a full DOM), new
// rows are added in one batch per animation frame, and a row expands to its detail.

import {api, el, problemText} from './api.js';
import {curlCommand} from './curl.js';

export const MAX_ROWS = 300; // table rows at most; the rest stays in the model
const MAX_KEPT = 5000; // entries the page remembers (the server keeps 1,000 by default)

const entries = []; // oldest first, ids increasing
let pending = []; // arrived during a refetch, added after it
let refetching = null;
let queued = []; // arrived since the last frame
let frameAsked = false;
const filter = {status: '', code: '', operation: ''};

const tbody = () => document.querySelector('#journal tbody');

export function matches(entry) {
  if (filter.code) return String(entry.status) === filter.code;
  if (filter.status === 'error' && entry.status < 400) return false;
  if (/^\d$/.test(filter.status) && String(entry.status)[0] !== filter.status) return false;
  if (filter.operation === '-') return entry.operation_id === null;
  return !filter.operation || entry.operation_id === filter.operation;
}

function remember(entry) {
  const last = entries.length ? entries[entries.length - 1].id : 0;
  if (entry.id <= last) return false; // seen already (the refetch and the stream overlap)
  entries.push(entry);
  if (entries.length > MAX_KEPT) entries.splice(0, entries.length - MAX_KEPT);
  return true;
}

// One entry from the stream.
export function received(entry) {
  if (refetching) {
    pending.push(entry);
    return;
  }
  if (!remember(entry)) return;
  queued.push(entry);
  if (!frameAsked) {
    frameAsked = true;
    requestAnimationFrame(flush);
  }
}

function flush() {
  frameAsked = false;
  const fresh = queued.filter(matches);
  queued = [];
  if (fresh.length) {
    const rows = document.createDocumentFragment();
    for (const entry of fresh.slice(-MAX_ROWS).reverse()) rows.append(row(entry));
    tbody().prepend(rows);
    trim();
  }
  showCount();
}

function trim() {
  const body = tbody();
  let count = body.querySelectorAll('tr.entry').length;
  while (count > MAX_ROWS) {
    const last = body.lastElementChild;
    if (last.classList.contains('entry')) count -= 1;
    last.remove();
  }
}

function showCount() {
  const shown = tbody().querySelectorAll('tr.entry').length;
  const matching = entries.filter(matches).length;
  document.getElementById('shown').textContent =
    `showing ${shown} of ${matching} matching (${entries.length} kept)`;
}

// The whole journal again: at start, after missed events, after a clear. Entries the stream
// brings meanwhile wait in `pending` and are merged by id afterwards.
export async function refetch() {
  if (refetching) return refetching;
  pending = [];
  refetching = load();
  try {
    await refetching;
  } finally {
    refetching = null;
  }
}

async function load() {
  const {body} = await api('/requests');
  entries.length = 0;
  for (const entry of [...body.requests, ...pending]) remember(entry);
  pending = [];
  rerender();
}

function rerender() {
  queued = [];
  const rows = document.createDocumentFragment();
  let count = 0;
  for (let i = entries.length - 1; i >= 0 && count < MAX_ROWS; i -= 1) {
    if (matches(entries[i])) {
      rows.append(row(entries[i]));
      count += 1;
    }
  }
  tbody().replaceChildren(rows);
  showCount();
}

function clock(iso) {
  const time = new Date(iso);
  return time.toLocaleTimeString([], {hour12: false}) + '.' +
    String(time.getMilliseconds()).padStart(3, '0');
}

function firstProblem(entry) {
  if (entry.errors.length) {
    const first = entry.errors[0];
    const more = entry.errors.length > 1 ? ` (+${entry.errors.length - 1})` : '';
    return `${first.in} ${first.path}: ${first.message}${more}`;
  }
  return entry.detail || '';
}

function row(entry) {
  const tr = el('tr', {className: `entry status-${String(entry.status)[0]}`});
  tr.dataset.id = entry.id;
  const cells = [
    ['time', clock(entry.time)], ['method', entry.method], ['path', entry.path],
    ['status', entry.status], ['ms', entry.duration_ms], ['operation', entry.operation_id || ''],
    ['error', firstProblem(entry)],
  ];
  for (const [name, text] of cells) tr.append(el('td', {className: name, textContent: text}));
  tr.addEventListener('click', () => toggle(tr));
  return tr;
}

async function toggle(tr) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains('detail')) {
    next.remove();
    return;
  }
  const cell = el('td', {colSpan: 7, textContent: 'loading…'});
  const detailRow = el('tr', {className: 'detail'}, cell);
  tr.after(detailRow);
  const {ok, body} = await api(`/requests/${tr.dataset.id}`);
  cell.replaceChildren(ok ? detailView(body) : el('p', {className: 'problem'}, problemText(body)));
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function bodyBlock(part, label) {
  if (!part.body_size) return el('p', {className: 'muted'}, `${label}: no body`);
  const cut = part.truncated ? ` (first ${part.body.length} of ${part.body_size} bytes)` : '';
  return el('div', {}, el('h3', {}, label + cut),
    el('pre', {className: label.toLowerCase().replace(' ', '-')}, pretty(part.body)));
}

function headerBlock(headers, label) {
  const text = headers.map(([name, value]) => `${name}: ${value}`).join('\n');
  return el('div', {}, el('h3', {}, label), el('pre', {}, text));
}

function detailView(detail) {
  const view = el('div', {className: 'entry-detail'});
  if (detail.errors.length) {
    const list = el('ul', {className: 'field-errors'});
    for (const error of detail.errors) {
      list.append(el('li', {}, `${error.in} ${error.path}: ${error.message}`));
    }
    view.append(el('h3', {}, 'Field errors'), list);
  } else if (detail.detail) {
    view.append(el('p', {className: 'problem'}, detail.detail));
  }
  if (!detail.request) return view;
  const curl = curlCommand(detail);
  const copy = el('button', {type: 'button', textContent: 'Copy as curl'});
  copy.addEventListener('click', async (event) => {
    event.stopPropagation();
    try {
      await navigator.clipboard.writeText(curl);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select the command below and copy it';
    }
  });
  view.append(
    el('div', {className: 'detail-grid'},
      el('div', {}, el('h3', {}, detail.request.url),
        headerBlock(detail.request.headers, 'Request headers'),
        bodyBlock(detail.request, 'Request body')),
      el('div', {}, headerBlock(detail.response.headers, 'Response headers'),
        bodyBlock(detail.response, 'Response body'))),
    copy, el('pre', {className: 'curl'}, curl));
  return view;
}

// The filter form, and the operations it offers.
export function setOperations(operations) {
  const select = document.querySelector('#filters select[name="operation"]');
  const current = select.value;
  select.replaceChildren(el('option', {value: ''}, 'any'),
    el('option', {value: '-'}, '(no operation: unmatched path)'));
  for (const id of [...new Set(operations.map((op) => op.operationId))].sort()) {
    select.append(el('option', {value: id}, id));
  }
  select.value = current;
}

export function setUp() {
  const form = document.getElementById('filters');
  form.addEventListener('input', () => {
    filter.status = form.elements.status.value;
    filter.code = form.elements.code.value.trim();
    filter.operation = form.elements.operation.value;
    rerender();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('clear-journal').addEventListener('click', async () => {
    await api('/requests', {method: 'DELETE'});
    await refetch();
  });
}
