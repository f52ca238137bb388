"""``GET /__specfake__/``: one self-contained page showing what is served and what happened."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specfake.world import World

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>specfake</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3rem .8rem; text-align: left; }}
code {{ background: #f4f4f4; padding: 0 .2rem; }}
.err {{ color: #a00; }}
</style></head><body>
<h1>specfake</h1>
{reload_error}
<p>Specs: {specs}. <button id="reset">Reset state to fixtures</button>
<a href="/__specfake__/state">state</a> · <a href="/__specfake__/requests">journal</a></p>
<h2>Operations</h2>
<table><tr><th>method</th><th>path</th><th>operationId</th><th>answered by</th></tr>
{operations}</table>
<h2>Recent requests</h2>
<table id="journal"><tr><th>time</th><th>method</th><th>path</th><th>status</th>
<th>ms</th><th>first error</th></tr></table>
<script>
async function refresh() {{
  const rows = (await (await fetch('/__specfake__/requests')).json()).requests.slice(-50);
  const table = document.getElementById('journal');
  table.querySelectorAll('tr.entry').forEach(r => r.remove());
  for (const e of rows.reverse()) {{
    const tr = table.insertRow(); tr.className = 'entry';
    const first = e.errors.length ? `${{e.errors[0].path}}: ${{e.errors[0].message}}` : '';
    for (const v of [e.time, e.method, e.path, e.status, e.duration_ms, first]) {{
      const td = tr.insertCell(); td.textContent = v;
      if (e.status >= 400) td.className = 'err';
    }}
  }}
}}
document.getElementById('reset').onclick = async () => {{
  await fetch('/__specfake__/reset', {{method: 'POST'}}); refresh();
}};
refresh(); setInterval(refresh, 2000);
</script></body></html>"""


def dashboard_html(world: World, reload_error: str | None = None) -> str:
    specs = ", ".join(
        f'<a href="/__specfake__/specs/{html.escape(s.name)}.json">{html.escape(s.name)}</a>'
        for s in world.specs
    )
    rows = []
    for operation in world.operations:
        source = world.answered_by(operation)
        cells = (operation.method, operation.path_template, operation.operation_id, source)
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    error = (
        f'<p class="err">The last edit could not be served; still serving the previous files:'
        f"<pre>{html.escape(reload_error)}</pre></p>"
        if reload_error
        else ""
    )
    return _PAGE.format(specs=specs or "none", operations="\n".join(rows), reload_error=error)
