"""Render the report page from a `Story` (or its `ficlens/1` dict) with Jinja2."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ficlens.errors import InputError
from ficlens.model import Story
from ficlens.writers.report.emotions import story_arcs
from ficlens.writers.report.plots import (
    arcs_figures,
    network_figure,
    places_figure,
    scenes_view,
)
from ficlens.writers.report.view import (
    LOW_CONFIDENCE,
    UNKNOWN_COLOUR,
    cast_view,
    header_view,
    script_view,
)

#: Script lines per page: the page holds every line as data but draws one page at a time.
PAGE_SIZE = 60
#: Scenes listed in the scenes table (the chart shows them all).
MAX_SCENE_ROWS = 1500
#: Places listed in the places table, the most mentioned first.
MAX_PLACE_ROWS = 300

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value: Any) -> str:
    """JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=_json_default)
    except ValueError:  # NaN or infinity somewhere in a stage's numbers: JSON.parse rejects them
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False, default=_json_default)
    return text.translate(_JSON_ESCAPES)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"cannot put {type(value).__name__} in the report")


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("ficlens.writers.report", "templates"),
                       autoescape=True, undefined=StrictUndefined, trim_blocks=False)


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    source, _, _ = _environment().loader.get_source(_environment(), name)
    return _normalise(source)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """Plotly's own minified JavaScript, from the installed `plotly` package."""
    from plotly.offline import get_plotlyjs

    return _normalise(get_plotlyjs())


def _normalise(script: str) -> str:
    # The HTML parser turns CR/CRLF into LF before the CSP hash is taken; so must we.
    script = script.replace("\r\n", "\n").replace("\r", "\n")
    if "</script" in script.lower():
        raise ValueError("inline script contains '</script'")
    return script


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*scripts: str) -> str:
    """A policy allowing exactly these inline scripts and no fetch of anything."""
    hashes = " ".join(_csp_hash(s) for s in scripts)
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data: blob:; font-src data:; connect-src 'none'; media-src 'none'; "
            "object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; "
            "form-action 'none'")


def _document(story: Story | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(story, Story):
        from ficlens.writers.json import story_to_dict

        return story_to_dict(story)
    if isinstance(story, Mapping):
        return story
    raise TypeError("render_report() takes a Story or its ficlens/1 dict")


def render_report(story: Story | Mapping[str, Any], *, page_size: int = PAGE_SIZE) -> str:
    """The report page for a story, as one self-contained HTML string; the script view
    shows `page_size` lines at a time."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    from ficlens import __version__

    doc = _document(story)
    header = header_view(doc)
    cast = cast_view(doc)
    script = script_view(doc)
    network = network_figure(doc, cast)
    arcs = arcs_figures(story_arcs(doc), cast)
    scenes = scenes_view(doc, cast)
    places_fig = places_figure(doc, scenes)
    names = {c["id"]: c["name"] for c in cast}
    places = [{"name": p.get("name"), "kind": p.get("kind"),
               "count": p.get("count", len(p.get("mentions") or [])),
               "characters": _some([names.get(c, c) for c in p.get("characters") or []])}
              for p in doc.get("places") or []]
    places.sort(key=lambda p: -int(p["count"] or 0))
    payload = {
        "cast": [{"name": c["name"], "colour": c["colour"]} for c in cast],
        "unknown_colour": UNKNOWN_COLOUR,
        "page_size": int(page_size),
        "script": script,
        "network": network["figure"] if network else None,
        "arcs": arcs,
        "places": places_fig,
    }
    app_js = _asset("report.js")
    library = plotly_js()
    return _environment().get_template("report.html.j2").render(
        version=__version__,
        header=header,
        cast=cast,
        cast_sorted=sorted(cast, key=lambda c: (-c["quotes"], -c["mentions"], c["index"])),
        script_count=len(script["items"]),
        low_confidence=LOW_CONFIDENCE,
        network=network,
        arcs=arcs,
        places_figure=places_fig,
        places=places[:MAX_PLACE_ROWS],
        places_hidden=max(0, len(places) - MAX_PLACE_ROWS),
        scenes=scenes[:MAX_SCENE_ROWS],
        scenes_hidden=max(0, len(scenes) - MAX_SCENE_ROWS),
        css=_asset("report.css"),
        data_json=script_json(payload),
        plotly_js=library,
        app_js=app_js,
        csp=content_security_policy(library, app_js),
    )


def _some(names: list[str], limit: int = 8) -> list[str]:
    """At most `limit` names, then how many more there are."""
    if len(names) <= limit:
        return names
    return [*names[:limit], f"and {len(names) - limit} more"]


def write_report(story: Story | Mapping[str, Any], path: str | os.PathLike[str], *,
                 page_size: int = PAGE_SIZE) -> Path:
    """Write the story's report page to `path`; returns the path written."""
    target = Path(path)
    html = render_report(story, page_size=page_size)
    try:
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", str(target)) from exc
    return target
