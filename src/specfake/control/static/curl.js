// "Copy as curl" for a journal entry's detail (GET /__specfake__/requests/{id}).

// Headers curl sets itself, or that would be wrong when replayed.
const SKIPPED = new Set(['host', 'content-length', 'connection', 'accept-encoding']);

export function shellQuote(text) {
  return `'${String(text).replaceAll("'", `'\\''`)}'`;
}

export function curlCommand(detail) {
  const request = detail.request;
  const parts = ['curl', '-X', detail.method, shellQuote(request.url)];
  for (const [name, value] of request.headers) {
    if (!SKIPPED.has(name.toLowerCase())) parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body_size) parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' ');
}
