// The dashboard's entry point: tabs, the event stream (GET /__specfake__/events), and which
// view to fetch again on each event. Every view reads and writes the control API only.

import {api, withToken} from './api.js';
import * as controls from './controls.js';
import * as journal from './journal.js';
import * as state from './state.js';

// Views fetched again at most this often while events keep coming.
const SETTLE_MS = 250;
const timers = new Map();
let overridesShown = 0;

function soon(name, action) {
  if (timers.has(name)) return;
  timers.set(name, setTimeout(() => {
    timers.delete(name);
    action();
  }, SETTLE_MS));
}

async function refreshWorld() {
  const {body} = await api('/operations');
  controls.showOperations(body);
  journal.setOperations(body.operations);
  await controls.refreshWarnings();
}

// Everything but the journal, which the stream's "refetch" brings.
async function refreshAll() {
  await refreshWorld();
  await Promise.all([state.refresh(), refreshOverrides(), controls.refreshFaults()]);
}

async function refreshOverrides() {
  overridesShown = await controls.refreshOverrides();
}

const onChanged = {
  state: () => soon('state', state.refresh),
  overrides: () => soon('overrides', refreshOverrides),
  faults: () => soon('faults', controls.refreshFaults),
  world: () => soon('world', async () => {
    await refreshWorld();
    await state.refresh();
  }),
  requests: () => journal.refetch(),
};

function connect() {
  const live = document.getElementById('live');
  const stream = new EventSource(withToken('/events'));
  const show = (mode, text) => {
    live.dataset.state = mode;
    live.textContent = text;
  };
  let lost = false; // reconnected: the server may have restarted with other specs and state
  stream.addEventListener('open', () => {
    show('live', 'live');
    if (lost) refreshAll();
    lost = false;
  });
  stream.addEventListener('error', () => {
    lost = true;
    show('down', 'reconnecting…');
  });
  stream.addEventListener('refetch', () => journal.refetch());
  stream.addEventListener('bye', () => show('down', 'server stopped; reconnecting…'));
  stream.addEventListener('changed', (event) => onChanged[JSON.parse(event.data).what]?.());
  stream.addEventListener('request', (event) => {
    const entry = JSON.parse(event.data);
    journal.received(entry);
    if (entry.method !== 'GET' && entry.method !== 'HEAD') onChanged.state();
    if (overridesShown) onChanged.overrides(); // their calls-left count goes down
  });
}

function setUpTabs() {
  const buttons = document.querySelectorAll('#tabs button');
  for (const button of buttons) {
    button.addEventListener('click', () => {
      for (const other of buttons) {
        const chosen = other === button;
        other.setAttribute('aria-selected', String(chosen));
        document.getElementById(`tab-${other.dataset.tab}`).hidden = !chosen;
      }
    });
  }
}

async function start() {
  setUpTabs();
  journal.setUp();
  state.setUp();
  controls.setUp();
  document.getElementById('har-link').href = withToken('/requests?format=har');
  connect(); // its first event is "refetch": the journal so far
  await refreshAll();
  document.body.dataset.ready = 'true';
}

start();
