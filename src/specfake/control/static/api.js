// The control API, as the page calls it: same origin (so guard.py's Origin check passes), and
// with the control token when the page was opened with ?control_token=TOKEN (serve
// --control-token): sent as Specfake-Control-Token on fetches, and in the query of the event
// stream, since EventSource cannot send headers.

export const BASE = '/__specfake__';
const token = new URLSearchParams(location.search).get('control_token');

export function withToken(path) {
  if (!token) return BASE + path;
  const separator = path.includes('?') ? '&' : '?';
  return `${BASE}${path}${separator}control_token=${encodeURIComponent(token)}`;
}

// {status, body} of a control call; body is the parsed JSON (a problem too), or null.
export async function api(path, {method = 'GET', json} = {}) {
  const headers = {Accept: 'application/json'};
  if (token) headers['Specfake-Control-Token'] = token;
  const init = {method, headers};
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  const response = await fetch(BASE + path, init);
  const text = await response.text();
  return {status: response.status, ok: response.ok, body: text ? JSON.parse(text) : null};
}

// A problem body as lines a person can act on: the detail, then each field at fault.
export function problemText(problem) {
  if (!problem) return 'no answer';
  const lines = [problem.detail || problem.title || JSON.stringify(problem)];
  for (const error of problem.errors || []) lines.push(`${error.in} ${error.path}: ${error.message}`);
  return lines.join('\n');
}

// Element helper: el('td', {className: 'x'}, 'text', child).
export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
