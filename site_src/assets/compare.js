// The compare page: the reader's choice of authorities, measure and year, kept in the address
// (?a=kent,surrey&m=referrals_rate&y=2023-24), and their published values side by side from
// compare/data/<year>/<measure>.json. Only values whose counting keys are equal share the table and chart;
// the others are listed apart with the reason. A suppressed value ([c]) has no number in the data.
(function () {
  "use strict";
  var picker = document.getElementById("lb-compare");
  if (!picker) return;
  var out = document.getElementById("lb-compare-out");
  var status = document.getElementById("lb-compare-status");
  var metricSelect = document.getElementById("lb-compare-metric");
  var yearSelect = document.getElementById("lb-compare-year");
  var setSelect = document.getElementById("lb-compare-set");
  var symbols = JSON.parse(picker.dataset.symbols || "{}");
  var chosen = [];  // slugs, in the order they were picked
  var loaded = {};  // "year/measure" -> promise of its data
  var shown = null; // the data last drawn, to redraw on resize

  function boxes() { return Array.prototype.slice.call(picker.querySelectorAll('input[name="a"]')); }
  function box(slug) { return document.getElementById("lb-a-" + slug); }
  function nameOf(slug) { return document.querySelector('label[for="lb-a-' + slug + '"]').textContent; }
  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // --- the choice and the address ---------------------------------------------------------
  function readAddress() {
    var q = new URLSearchParams(location.search);
    chosen = [];
    q.getAll("a").join(",").split(",").forEach(function (slug) {
      if (slug && box(slug) && chosen.indexOf(slug) < 0) chosen.push(slug);
    });
    if (hasOption(metricSelect, q.get("m"))) metricSelect.value = q.get("m");
    if (hasOption(yearSelect, q.get("y"))) yearSelect.value = q.get("y");
    boxes().forEach(function (b) { b.checked = chosen.indexOf(b.value) >= 0; });
  }

  function writeAddress() {
    var q = new URLSearchParams();
    if (chosen.length) q.set("a", chosen.join(","));
    q.set("m", metricSelect.value);
    q.set("y", yearSelect.value);
    history.replaceState(null, "", location.pathname + "?" + q.toString().replace(/%2C/g, ","));
  }

  function choose(slugs, only) {
    if (only) chosen = [];
    slugs.forEach(function (slug) { if (box(slug) && chosen.indexOf(slug) < 0) chosen.push(slug); });
    boxes().forEach(function (b) { b.checked = chosen.indexOf(b.value) >= 0; });
  }

  // --- numbers ------------------------------------------------------------------------------
  function decimals() { return Number(metricSelect.selectedOptions[0].dataset.decimals); }
  function unit() { return metricSelect.selectedOptions[0].dataset.unit; }
  function number(v, d) {
    return v.toLocaleString("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function count(v) { return v === null ? "" : number(v, Number.isInteger(v) ? 0 : 1); }
  function valueText(r) {
    var text = number(r.value, decimals()) + (unit() === "percent" ? "%" : "");
    return text + (r.reliability ? " " + r.reliability : "") + (r.revised ? " " + r.revised : "");
  }
  function intervalText(r) {
    return r.lower95 === null ? "no interval" : number(r.lower95, decimals()) + " to " + number(r.upper95, decimals());
  }

  // A key is "fact=value|fact=value", its words "words|words" in the same order: say the parts that differ.
  function differences(r, other) {
    var mine = r.key.split("|"), theirs = other.key.split("|");
    var words = r.key_words.split("|"), otherWords = other.key_words.split("|"), out = [];
    mine.forEach(function (part, i) {
      if (part !== theirs[i]) out.push(words[i] + " (the values compared above: " + otherWords[i] + ")");
    });
    return out.join("; ");
  }
  function inWords(r) { return r.key_words.split("|").join(", "); }

  // --- sorting the chosen authorities by what may be compared -----------------------------
  function sortOut(data) {
    var columns = data.columns, values = data.values;
    var rows = chosen.map(function (slug) {
      var cells = values[slug], r = { slug: slug, name: nameOf(slug) };
      if (cells) columns.forEach(function (c, i) { r[c] = cells[i]; });
      ["key", "key_words", "reason", "note"].forEach(function (c) { if (cells) r[c] = data.texts[r[c]]; });
      r.found = !!cells;
      return r;
    });
    var valued = rows.filter(function (r) { return r.found && !r.status && r.value !== null; });
    var groups = {}, main = null;
    valued.forEach(function (r) {
      if (!r.comparable) return;
      (groups[r.key] = groups[r.key] || []).push(r);
      if (main === null || groups[r.key].length > groups[main].length) main = r.key;
    });
    var together = main === null ? [] : groups[main];
    var apart = valued.filter(function (r) { return together.indexOf(r) < 0; }).map(function (r) {
      r.why = r.comparable ? "counts differently: " + differences(r, together[0]) : r.reason || "not compared";
      return r;
    });
    var missing = rows.filter(function (r) { return valued.indexOf(r) < 0; }).map(function (r) {
      if (!r.found) r.why = "no return for " + data.period;
      else if (r.status) r.why = r.status + " " + (symbols[r.status] || "") + (r.note ? ": " + r.note : "");
      else r.why = "[x] " + (symbols["[x]"] || "") + (r.note ? ": " + r.note : "");
      return r;
    });
    return { together: together, apart: apart, missing: missing };
  }

  // --- drawing ------------------------------------------------------------------------------
  function table(caption, heads, rows) {
    // Material lets a wide table scroll sideways; tabindex lets a keyboard scroll it too
    var t = el("table", null, { tabindex: "0" }), head = el("thead"), tr = el("tr"), body = el("tbody");
    t.appendChild(el("caption", caption));
    heads.forEach(function (h) { tr.appendChild(el("th", h, { scope: "col" })); });
    head.appendChild(tr);
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (c, i) { row.appendChild(el(i ? "td" : "th", c, i ? {} : { scope: "row" })); });
      body.appendChild(row);
    });
    t.appendChild(head);
    t.appendChild(body);
    return t;
  }

  function list(id, items) {  // [name, the rest] per item: a list reads better than a table on a phone
    var ul = el("ul", null, { id: id });
    items.forEach(function (item) {
      var li = el("li");
      li.appendChild(el("strong", item[0]));
      li.appendChild(document.createTextNode(item[1]));
      ul.appendChild(li);
    });
    return ul;
  }

  function ticks(lo, hi) {  // about five round steps: 1, 2 or 5 times a power of ten
    var raw = (hi - lo) / 5, step = Math.pow(10, Math.floor(Math.log10(raw)));
    if (step * 2 >= raw) step *= 2; else if (step * 5 >= raw) step *= 5; else step *= 10;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Number(v.toPrecision(12)));
    return { values: out, decimals: Math.max(0, -Math.floor(Math.log10(step))) };
  }

  function chart(rows) {
    var ns = "http://www.w3.org/2000/svg", width = Math.max(280, Math.min(out.clientWidth || 640, 760));
    var pad = 20, row = 44, height = rows.length * row + 36;
    var lo = Math.min(0, Math.min.apply(null, rows.map(function (r) { return r.lower95 === null ? r.value : r.lower95; })));
    var hi = Math.max.apply(null, rows.map(function (r) { return r.upper95 === null ? r.value : r.upper95; }));
    hi = hi > lo ? hi * 1.05 : lo + 1;
    var x = function (v) { return pad + (v - lo) / (hi - lo) * (width - 2 * pad); };
    var svg = document.createElementNS(ns, "svg");
    function add(tag, attrs, text) {
      var n = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text !== undefined) n.textContent = text;
      svg.appendChild(n);
      return n;
    }
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", width);
    svg.setAttribute("aria-hidden", "true");  // the table beside it says the same, for a screen reader
    rows.forEach(function (r, i) {
      var y = i * row + 16, a = r.lower95 === null ? r.value : r.lower95, b = r.upper95 === null ? r.value : r.upper95;
      add("text", { x: pad, y: y }, r.name + ": " + valueText(r) + (r.lower95 === null ? "" : " (" + intervalText(r) + ")"));
      add("line", { class: "lb-bar", x1: x(a), x2: x(b), y1: y + 14, y2: y + 14, "stroke-width": 3 });
      add("circle", { class: "lb-dot", cx: x(r.value), cy: y + 14, r: 6 });
    });
    var base = rows.length * row + 6;
    add("line", { class: "lb-axis", x1: pad, x2: width - pad, y1: base, y2: base });
    var axis = ticks(lo, hi);
    axis.values.forEach(function (v) {
      add("line", { class: "lb-axis", x1: x(v), x2: x(v), y1: base, y2: base + 5 });
      add("text", { x: x(v), y: base + 20, "text-anchor": "middle" }, number(v, axis.decimals) + (unit() === "percent" ? "%" : ""));
    });
    return svg;
  }

  function draw(data) {
    shown = data;
    var title = metricSelect.selectedOptions[0].textContent + ", " + data.period;
    var parts = sortOut(data);
    out.textContent = "";
    out.appendChild(el("h2", title, { id: "lb-compare-result" }));
    if (!chosen.length) {
      out.appendChild(el("p", "Pick two or more authorities above to compare them."));
      return;
    }
    var heads = ["Authority", "Value (" + unit() + ")", "95% interval", "Count", "Base"];
    if (parts.together.length) {
      var figure = el("figure", null, { class: "lb-compare-figure" });
      figure.appendChild(el("figcaption", "Values that count the same way (" + inWords(parts.together[0]) +
        "): each dot is the value, each bar its 95% interval."));
      figure.appendChild(chart(parts.together));
      out.appendChild(figure);
      out.appendChild(table("Compared: " + title, heads, parts.together.map(function (r) {
        return [r.name, valueText(r), intervalText(r), count(r.numerator), count(r.denominator)];
      })));
      var marks = ["[u]", "[r]"].filter(function (m) {
        return parts.together.some(function (r) { return r.reliability === m || r.revised === m; });
      });
      if (marks.length) out.appendChild(el("p", marks.map(function (m) { return m + " " + symbols[m]; }).join("; ") + "."));
      var noted = parts.together.filter(function (r) { return r.note; });
      if (noted.length) {
        out.appendChild(el("p", "Notes on the values compared:"));
        out.appendChild(list("lb-compare-notes", noted.map(function (r) { return [r.name, ": " + r.note]; })));
      }
    } else {
      out.appendChild(el("p", "None of the chosen authorities has a value that can be compared for this measure and year."));
    }
    if (parts.apart.length) {
      out.appendChild(el("h3", "Shown apart: not comparable with the values above"));
      out.appendChild(list("lb-compare-apart", parts.apart.map(function (r) {
        return [r.name, ": " + valueText(r) + (r.lower95 === null ? "" : " (95% interval " + intervalText(r) + ")") +
          " — " + r.why];
      })));
    }
    if (parts.missing.length) {
      out.appendChild(el("h3", "No value to show"));
      out.appendChild(list("lb-compare-missing", parts.missing.map(function (r) { return [r.name, " — " + r.why]; })));
    }
    status.textContent = chosen.length + " chosen: " + parts.together.length + " compared, " + parts.apart.length +
      " shown apart, " + parts.missing.length + " without a value.";
  }

  function update() {
    writeAddress();
    var which = yearSelect.value + "/" + metricSelect.value;
    if (!loaded[which]) {
      loaded[which] = fetch(new URL("data/" + which + ".json", location.href)).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + r.statusText);
        return r.json();
      });
    }
    loaded[which].then(function (data) {
      if (data.period + "/" + data.metric === yearSelect.value + "/" + metricSelect.value) draw(data);
    }).catch(function (err) {
      delete loaded[which];
      out.textContent = "";
      out.appendChild(el("p", "The figures could not be loaded (" + err.message + "). They are in the downloads: " +
        "metrics.csv holds every value with its interval."));
    });
  }

  // --- wiring ------------------------------------------------------------------------------
  picker.hidden = false;
  picker.addEventListener("change", function (e) {
    if (e.target.name === "a") {
      if (e.target.checked) choose([e.target.value]);
      else chosen = chosen.filter(function (s) { return s !== e.target.value; });
    }
    if (e.target !== setSelect && e.target !== find) update();
  });
  function members() { return setSelect.selectedOptions[0].dataset.members.split(" ").filter(Boolean); }
  document.getElementById("lb-compare-add").addEventListener("click", function () {
    choose(members());
    update();
  });
  document.getElementById("lb-compare-only").addEventListener("click", function () {
    choose(members(), true);
    update();
  });
  document.getElementById("lb-compare-clear").addEventListener("click", function () {
    choose([], true);
    update();
  });
  var find = document.getElementById("lb-compare-find");
  find.addEventListener("input", function () {  // show only the authorities whose name has what was typed
    var word = find.value.trim().toLowerCase();
    boxes().forEach(function (b) {
      b.parentNode.hidden = word !== "" && nameOf(b.value).toLowerCase().indexOf(word) < 0;
    });
    picker.querySelectorAll(".lb-compare-region").forEach(function (f) {
      f.hidden = !f.querySelector("li:not([hidden])");
    });
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (shown) draw(shown); }, 150);
  });
  readAddress();
  update();
})();
