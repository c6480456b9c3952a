"""The story report: one self-contained HTML page (cast, script, network, arcs, places).

Nothing on the page loads from a server: Plotly's JavaScript, the styles and the data are
inlined, and a Content-Security-Policy forbids every fetch. Story text and metadata are
untrusted: they reach the page through Jinja2 autoescaping, JSON escaped for `<script>`,
and `textContent` in the page's own script.
"""

from __future__ import annotations

from ficlens.writers.report.render import render_report, write_report

__all__ = ["render_report", "write_report"]
