/* ficlens report: sortable cast, paginated script view, Plotly figures.
 * Story text reaches the page only through textContent and Plotly figure data
 * (escaped for Plotly's label markup on the Python side); never through innerHTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("ficlens-data").textContent);
  var CAST = DATA.cast;            // [{name, colour}] by cast index
  var PAGE_SIZE = DATA.page_size;
  var PLOT_CONFIG = {displaylogo: false, responsive: true,
                     modeBarButtonsToRemove: ["select2d", "lasso2d"]};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function nameOf(i) { return i >= 0 && CAST[i] ? CAST[i].name : "unknown speaker"; }
  function colourOf(i) { return i >= 0 && CAST[i] ? CAST[i].colour : DATA.unknown_colour; }
  function countWords(s) { var m = s.match(/\S+/g); return m ? m.length : 0; }

  /* ---- cast table ---------------------------------------------------------------- */
  function initCast() {
    var table = document.getElementById("cast-table");
    if (!table) { return; }
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var numeric = th.dataset.type === "num";
        var current = th.getAttribute("aria-sort");
        // Counts sort largest first on the first click, names A to Z.
        var ascending = current === "none" ? !numeric : current !== "ascending";
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort, d;
          if (numeric) { d = Number(x) - Number(y); }
          else { d = x.localeCompare(y, undefined, {sensitivity: "base"}); }
          if (d === 0) { d = Number(a.dataset.index) - Number(b.dataset.index); }
          return ascending ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    table.addEventListener("click", function (event) {
      var who = event.target.closest("button.who");
      if (who) { filterBy(Number(who.dataset.index), true); }
    });
  }

  /* ---- script view --------------------------------------------------------------- */
  var SCRIPT = DATA.script;
  var state = {speaker: null, lowOnly: false, page: 0, openNarration: false, query: ""};
  var shown = SCRIPT.items;
  var chapterTitles = {};
  SCRIPT.chapters.forEach(function (c) { chapterTitles[c.index] = c.title; });

  function chapterLabel(c) {
    if (c === null || c === undefined) { return "Outside the chapters"; }
    var title = chapterTitles[c];
    return "Chapter " + c + (title ? ": " + title : "");
  }

  function searchText(it) {
    if (it._search === undefined) {
      it._search = it.p.filter(function (part) { return part[0]; })
        .map(function (part) { return part[1]; }).join(" ").toLowerCase();
    }
    return it._search;
  }

  function applyFilter() {
    shown = SCRIPT.items.filter(function (it) {
      if (state.speaker !== null && it.s !== state.speaker) { return false; }
      if (state.lowOnly && it.k >= SCRIPT.low_confidence && it.s >= 0) { return false; }
      if (state.query && searchText(it).indexOf(state.query) < 0) { return false; }
      return true;
    });
  }

  function filterBy(index, scroll) {
    state.speaker = index;
    state.page = 0;
    applyFilter();
    renderScript();
    if (scroll) { document.getElementById("script").scrollIntoView(); }
  }

  function narration(text, label) {
    var details = el("details", "narr");
    details.open = state.openNarration;
    details.appendChild(el("summary", null, label + " (" + countWords(text) + " words)"));
    details.appendChild(el("p", null, text));
    return details;
  }

  function lineNode(it) {
    var low = it.s < 0 || it.k < SCRIPT.low_confidence;
    var line = el("div", "line" + (low ? " low" : ""));
    line.dataset.speaker = String(it.s);
    line.dataset.quote = it.i;
    line.style.borderLeftColor = colourOf(it.s);
    if (it.n) { line.appendChild(narration(it.n, "narration")); }
    var head = el("div", "head");
    var who = el("button", "speaker", nameOf(it.s));
    who.type = "button";
    who.style.color = colourOf(it.s);
    if (it.s >= 0) {
      who.title = "Show only " + nameOf(it.s) + "'s lines";
      who.addEventListener("click", function () { filterBy(it.s, false); });
    }
    head.appendChild(who);
    if (it.a.length) {
      head.appendChild(el("span", "to", "→ " + it.a.map(nameOf).join(", ")));
    }
    if (low) {
      var badge = el("span", "conf-badge", "?");
      badge.title = it.s < 0 ? "speaker not found"
        : "uncertain attribution (confidence " + it.k.toFixed(2) + ")";
      head.appendChild(badge);
    }
    head.appendChild(el("span", "qid", it.i + (it.c !== null && it.c !== undefined ? " · ch. " + it.c : "")));
    line.appendChild(head);
    var says = el("p", "says");
    it.p.forEach(function (part) {
      says.appendChild(el("span", part[0] ? "q-text" : "tag-text", part[1]));
      says.appendChild(document.createTextNode(" "));
    });
    line.appendChild(says);
    if (it.m) { line.appendChild(narration(it.m, "end of chapter")); }
    return line;
  }

  function renderScript() {
    var box = document.getElementById("script-lines");
    if (!box) { return; }
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var start = state.page * PAGE_SIZE, end = Math.min(shown.length, start + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    var chapter;
    for (var i = start; i < end; i++) {
      var it = shown[i];
      if (it.c !== chapter) {
        chapter = it.c;
        fragment.appendChild(el("h3", "chapter-mark", chapterLabel(chapter)));
      }
      fragment.appendChild(lineNode(it));
    }
    if (!shown.length) { fragment.appendChild(el("p", "empty", "No lines match.")); }
    box.replaceChildren(fragment);
    document.getElementById("page-status").textContent = shown.length
      ? "lines " + (start + 1) + "–" + end + " of " + shown.length + " · page " + (state.page + 1) + " of " + pages
      : "no lines";
    document.querySelectorAll("#pager button").forEach(function (b) {
      var go = b.dataset.go;
      b.disabled = (go === "first" || go === "prev") ? state.page === 0 : state.page >= pages - 1;
    });
    var status = document.getElementById("filter-status");
    status.textContent = state.speaker === null ? "All lines" : "Lines of " + nameOf(state.speaker);
    status.style.color = state.speaker === null ? "" : colourOf(state.speaker);
    document.getElementById("clear-filter").hidden = state.speaker === null;
    fillChapters();
  }

  function fillChapters() {
    var select = document.getElementById("chapter-jump");
    var seen = [], first = {};
    shown.forEach(function (it, n) {
      if (!(it.c in first)) { first[it.c] = n; seen.push(it.c); }
    });
    var current = shown.length ? shown[state.page * PAGE_SIZE].c : null;
    var options = document.createDocumentFragment();
    seen.forEach(function (c) {
      var option = el("option", null, chapterLabel(c));
      option.value = String(first[c]);
      if (c === current) { option.selected = true; }
      options.appendChild(option);
    });
    select.replaceChildren(options);
  }

  function initScript() {
    if (!document.getElementById("script-lines")) { return; }
    document.getElementById("pager").addEventListener("click", function (event) {
      var b = event.target.closest("button");
      if (!b) { return; }
      var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
      var go = b.dataset.go;
      state.page = go === "first" ? 0 : go === "prev" ? state.page - 1
        : go === "next" ? state.page + 1 : pages - 1;
      renderScript();
      document.getElementById("script").scrollIntoView();
    });
    document.getElementById("clear-filter").addEventListener("click", function () { filterBy(null, false); });
    document.getElementById("low-only").addEventListener("change", function (e) {
      state.lowOnly = e.target.checked; state.page = 0; applyFilter(); renderScript();
    });
    document.getElementById("open-narration").addEventListener("change", function (e) {
      state.openNarration = e.target.checked;
      document.querySelectorAll("#script-lines details.narr").forEach(function (d) { d.open = state.openNarration; });
    });
    document.getElementById("script-search").addEventListener("input", function (e) {
      state.query = e.target.value.trim().toLowerCase(); state.page = 0; applyFilter(); renderScript();
    });
    document.getElementById("chapter-jump").addEventListener("change", function (e) {
      state.page = Math.floor(Number(e.target.value) / PAGE_SIZE); renderScript();
    });
    applyFilter();
    renderScript();
  }

  /* ---- plots --------------------------------------------------------------------- */
  function plot(id, figure) {
    var node = document.getElementById(id);
    if (!node || !figure || typeof Plotly === "undefined") { return null; }
    Plotly.newPlot(node, figure.data, figure.layout, PLOT_CONFIG);
    return node;
  }

  function initNetwork() {
    var node = plot("network-plot", DATA.network);
    if (!node) { return; }
    node.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (point && point.customdata !== undefined && point.customdata !== null) {
        filterBy(Number(point.customdata), true);
      }
    });
  }

  // Plotly reads a little HTML in names and labels: make story strings literal.
  function plotlyText(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function initArcs() {
    var arcs = DATA.arcs;
    var charNode = document.getElementById("arcs-plot");
    if (!arcs || !charNode || typeof Plotly === "undefined") { return; }
    var relNode = document.getElementById("relationships-plot");
    var xs = arcs.labels.map(function (_, n) { return n + 1; });
    var picked = {};
    arcs["default"].forEach(function (i) { picked[i] = true; });
    var emotionSelect = document.getElementById("arc-emotion");
    var sourceSelect = document.getElementById("arc-source");
    arcs.emotions.forEach(function (name) {
      var option = el("option", null, name);
      option.value = name;
      emotionSelect.appendChild(option);
    });
    emotionSelect.value = arcs.emotions.indexOf("valence") >= 0 ? "valence" : arcs.emotions[0];
    var sourceNames = {both: "speech and narration", speech: "what they say",
                       narration: "narration about them"};
    arcs.sources.forEach(function (name) {
      var option = el("option", null, sourceNames[name] || name);
      option.value = name;
      sourceSelect.appendChild(option);
    });
    sourceSelect.value = arcs.sources[0];
    var picker = document.getElementById("arc-picker");
    var boxes = [];
    arcs.characters.forEach(function (c) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.value = String(c.i);
      box.checked = !!picked[c.i];
      box.addEventListener("change", function () { picked[c.i] = box.checked; update(); });
      boxes.push(box);
      var swatch = el("span", "swatch");
      swatch.style.background = colourOf(c.i);
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(nameOf(c.i)));
      picker.appendChild(label);
    });
    function setAll(indices) {
      picked = {};
      indices.forEach(function (i) { picked[i] = true; });
      boxes.forEach(function (b) { b.checked = !!picked[Number(b.value)]; });
      update();
    }
    document.getElementById("arc-top").addEventListener("click", function () { setAll(arcs["default"]); });
    document.getElementById("arc-all").addEventListener("click", function () {
      setAll(arcs.characters.map(function (c) { return c.i; }));
    });
    document.getElementById("arc-none").addEventListener("click", function () { setAll([]); });
    emotionSelect.addEventListener("change", update);
    sourceSelect.addEventListener("change", update);

    var DASHES = ["dot", "dash", "dashdot", "longdash", "longdashdot"];
    function line(values, name, colour, dash) {
      return {type: "scatter", mode: "lines+markers", name: name, x: xs.slice(0, values.length),
              y: values, text: arcs.labels.slice(0, values.length), connectgaps: true,
              // the name goes in as a value, never as template text
              hovertemplate: "%{text}<br>%{y:.3f}<extra>%{fullData.name}</extra>",
              line: {color: colour, width: 2, dash: dash}, marker: {size: 5}};
    }
    function update() {
      var emotion = emotionSelect.value, source = sourceSelect.value;
      var traces = [];
      arcs.characters.forEach(function (c) {
        var series = c.series[source] && c.series[source][emotion];
        if (picked[c.i] && series) {
          traces.push(line(series, plotlyText(nameOf(c.i)), colourOf(c.i), "solid"));
        }
      });
      var layout = JSON.parse(JSON.stringify(arcs.layout));
      layout.yaxis.title.text = emotion;
      Plotly.react(charNode, traces, layout, PLOT_CONFIG);
      charNode.dataset.traces = String(traces.length);
      if (relNode) {
        var rels = arcs.relationships.filter(function (r) { return picked[r.a] || picked[r.b]; })
          .map(function (r) {
            return line(r.valence, plotlyText(nameOf(r.a)) + " → " + plotlyText(nameOf(r.b)),
                        colourOf(r.a), DASHES[r.b % DASHES.length]);
          });
        Plotly.react(relNode, rels, arcs.relationship_layout, PLOT_CONFIG);
      }
    }
    update();
  }

  function init() {
    initCast();
    initScript();
    initNetwork();
    initArcs();
    plot("places-plot", DATA.places);
    document.body.dataset.ready = "true";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
}());
