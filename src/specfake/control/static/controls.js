// The Overrides & faults, Warnings and Operations tabs: each a view of one control route,
// fetched again when the event stream says it changed.

import {api, el, problemText} from './api.js';

let operations = []; // from GET /__specfake__/operations

function cells(values) {
  return values.map((value) => el('td', {textContent: value === null ? '' : String(value)}));
}

function showProblem(id, answer) {
  const node = document.getElementById(id);
  node.hidden = answer.ok;
  node.textContent = answer.ok ? '' : problemText(answer.body);
}

export function showOperations(served) {
  operations = served.operations;
  document.getElementById('specs').textContent = `serving ${served.specs.join(', ') || 'nothing'}`;
  const banner = document.getElementById('reload-error');
  banner.hidden = !served.reload_error;
  banner.querySelector('pre').textContent = served.reload_error || '';
  document.querySelector('#operations tbody').replaceChildren(...operations.map((op) =>
    el('tr', {}, ...cells([op.method, op.path, op.operationId, op.answered_by,
      op.auth ? 'bearer' : 'none', op.spec]))));
  const select = document.querySelector('#override-form select[name="operationId"]');
  const current = select.value;
  select.replaceChildren(...operations.map((op) =>
    el('option', {value: op.operationId}, `${op.operationId} (${op.method} ${op.path})`)));
  if (operations.some((op) => op.operationId === current)) select.value = current;
  offerResponses();
}

// The chosen operation's documented statuses and named examples.
function offerResponses() {
  const form = document.getElementById('override-form');
  const operation = operations.find((op) => op.operationId === form.elements.operationId.value);
  const responses = operation ? operation.responses : {};
  const status = form.elements.status;
  const chosen = status.value;
  status.replaceChildren(el('option', {value: ''}, '(none)'),
    ...Object.keys(responses).map((code) => el('option', {value: code}, code)));
  if (chosen in responses) status.value = chosen;
  const names = status.value ? responses[status.value] : Object.values(responses).flat();
  form.elements.example.replaceChildren(el('option', {value: ''}, '(any)'),
    ...[...new Set(names)].sort().map((name) => el('option', {value: name}, name)));
}

export async function refreshOverrides() {
  const {body} = await api('/overrides');
  document.querySelector('#overrides tbody').replaceChildren(...body.overrides.map((o) => {
    const remove = el('button', {type: 'button', textContent: 'Delete'});
    remove.addEventListener('click', async () => {
      await api(`/overrides/${encodeURIComponent(o.id)}`, {method: 'DELETE'});
      await refreshOverrides();
    });
    const tr = el('tr', {}, ...cells([o.id, o.operationId, o.status, o.example, o.delay_ms,
      o.times === null ? 'until deleted' : o.times]), el('td', {}, remove));
    tr.dataset.id = o.id;
    return tr;
  }));
  return body.overrides.length;
}

function whole(text) {
  return text.trim() === '' ? undefined : Number(text);
}

async function addOverride(event) {
  event.preventDefault();
  const form = event.target;
  const body = {operationId: form.elements.operationId.value};
  if (form.elements.status.value) body.status = Number(form.elements.status.value);
  if (form.elements.example.value) body.example = form.elements.example.value;
  for (const name of ['delay_ms', 'times']) {
    const value = whole(form.elements[name].value);
    if (value !== undefined) body[name] = value;
  }
  const answer = await api('/overrides', {method: 'POST', json: body});
  showProblem('override-problem', answer);
  await refreshOverrides();
}

export async function refreshFaults() {
  const {body} = await api('/faults');
  const form = document.getElementById('faults');
  const [low, high] = body.latency_ms || ['', ''];
  form.elements.low.value = low;
  form.elements.high.value = high;
  form.elements.fail_rate.value = body.fail_rate || '';
  const latency = body.latency_ms ? `${low} to ${high} ms` : 'none';
  document.getElementById('faults-now').textContent =
    `now: latency ${latency}, fail rate ${body.fail_rate}`;
}

async function applyFaults(event) {
  event.preventDefault();
  const form = event.target;
  const low = whole(form.elements.low.value);
  const high = whole(form.elements.high.value);
  const rate = form.elements.fail_rate.value.trim();
  const body = {
    latency_ms: low === undefined && high === undefined ? null : [low ?? 0, high ?? low],
    fail_rate: rate === '' ? 0 : Number(rate),
  };
  const answer = await api('/faults', {method: 'PUT', json: body});
  showProblem('faults-problem', answer);
  await refreshFaults();
}

export async function refreshWarnings() {
  const {body} = await api('/warnings');
  document.getElementById('warning-count').textContent = body.warnings.length || '';
  document.querySelector('#warnings tbody').replaceChildren(...body.warnings.map((w) =>
    el('tr', {}, ...cells([w.spec, w.pointer || '/', w.message]))));
}

export function setUp() {
  const form = document.getElementById('override-form');
  form.addEventListener('submit', addOverride);
  form.elements.operationId.addEventListener('change', offerResponses);
  form.elements.status.addEventListener('change', offerResponses);
  document.getElementById('delete-overrides').addEventListener('click', async () => {
    await api('/overrides', {method: 'DELETE'});
    await refreshOverrides();
  });
  document.getElementById('faults').addEventListener('submit', applyFaults);
}
