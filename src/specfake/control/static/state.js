// The State tab: GET /__specfake__/state as browsable JSON, one <details> per section and per
// resource (a record of a list section, a key of a mapping section). Editing a resource puts
// its section back with PUT /__specfake__/state, read fresh just before so that only that
// resource changes; a 422 shows the fields at fault where the edit was made.

import {api, el, problemText} from './api.js';

const MAX_RESOURCES = 500; // shown per section; the whole-section editor holds them all
const open = new Set(); // keys of the <details> a person opened, kept across refreshes
let editing = 0; // open editors: a refresh would throw their text away
let stale = false;

const container = () => document.getElementById('state');
const message = (text) => { document.getElementById('state-message').textContent = text; };

function resourceKey(value, index) {
  return value && typeof value === 'object' && !Array.isArray(value) && 'id' in value
    ? String(value.id) : `#${index}`;
}

function resources(section) {
  if (Array.isArray(section)) return section.map((value, index) => [resourceKey(value, index), value]);
  if (section && typeof section === 'object') return Object.entries(section);
  return [];
}

// `section` with the resource named `key` replaced by `value`.
function replaced(section, key, value) {
  if (Array.isArray(section)) {
    const index = section.findIndex((item, i) => resourceKey(item, i) === key);
    if (index < 0) throw new Error(`${key} is no longer in this section; refresh`);
    return section.map((item, i) => (i === index ? value : item));
  }
  return {...section, [key]: value};
}

// A <details> that remembers whether it was open, and builds its content when first opened
// (a big state is thousands of resources: only their summaries are made up front).
function remembered(details, key, content) {
  let built = !content;
  const build = () => {
    if (!built && details.open) {
      built = true;
      details.append(content());
    }
  };
  details.open = open.has(key);
  build();
  details.addEventListener('toggle', () => {
    if (details.open) open.add(key); else open.delete(key);
    build();
  });
  return details;
}

function editor(name, key, value, whole) {
  const area = el('div', {className: 'editor'});
  const show = () => {
    const edit = el('button', {type: 'button', className: 'edit'}, 'Edit');
    edit.addEventListener('click', () => {
      editing += 1;
      const text = el('textarea', {spellcheck: false, value: JSON.stringify(value, null, 2)});
      const save = el('button', {type: 'button', className: 'save'}, 'Save');
      const cancel = el('button', {type: 'button'}, 'Cancel');
      const problem = el('p', {className: 'problem', hidden: true});
      const done = () => { editing -= 1; show(); if (!editing && stale) refresh(); };
      cancel.addEventListener('click', done);
      save.addEventListener('click', async () => {
        problem.hidden = false;
        try {
          const edited = JSON.parse(text.value);
          const {body: current} = await api('/state');
          const section = whole ? edited : replaced(current[name], key, edited);
          const answer = await api('/state', {method: 'PUT', json: {[name]: section}});
          if (!answer.ok) {
            problem.textContent = problemText(answer.body);
            return;
          }
          message(`saved ${name}${whole ? '' : ' ' + key}`);
          stale = true;
          done();
        } catch (error) {
          problem.textContent = error.message;
        }
      });
      area.replaceChildren(text, save, cancel, problem);
    });
    area.replaceChildren(el('pre', {}, JSON.stringify(value, null, 2)), edit);
  };
  show();
  return area;
}

function sectionView(name, section) {
  const items = resources(section);
  const noun = Array.isArray(section) ? 'records' : 'keys';
  const details = remembered(el('details', {className: 'section'},
    el('summary', {}, `${name} (${items.length} ${noun})`)), name);
  details.dataset.section = name;
  for (const [key, value] of items.slice(0, MAX_RESOURCES)) {
    const resource = el('details', {className: 'resource'}, el('summary', {}, key));
    resource.dataset.key = key;
    details.append(remembered(resource, `${name}/${key}`, () => editor(name, key, value, false)));
  }
  if (items.length > MAX_RESOURCES) {
    details.append(el('p', {className: 'muted'},
      `the first ${MAX_RESOURCES} of ${items.length}; the whole section holds them all`));
  }
  const whole = el('details', {className: 'resource whole'}, el('summary', {}, 'the whole section'));
  details.append(remembered(whole, `${name}/*`, () => editor(name, null, section, true)));
  return details;
}

export async function refresh() {
  if (editing) {
    stale = true;
    message('the state changed; it is shown again when you save or cancel');
    return;
  }
  stale = false;
  const {ok, body} = await api('/state');
  if (!ok) {
    message(problemText(body));
    return;
  }
  container().replaceChildren(...Object.entries(body).map(([name, s]) => sectionView(name, s)));
}

export function setUp() {
  document.getElementById('reset-state').addEventListener('click', async () => {
    const {ok, body} = await api('/reset', {method: 'POST'});
    message(ok ? 'reset to the fixtures' : problemText(body));
    await refresh();
  });
  document.getElementById('refresh-state').addEventListener('click', refresh);
}
