// Draw every chart on the page from its inert JSON spec with the vendored vega bundle, make tables
// sortable and scrollable, and print chart tables opened. No network beyond this site: the specs carry
// their data inline, and the vega bundle (900 KB) is fetched only by a page that has a chart.
(function () {
  "use strict";

  // vendor/vega.js beside this file, wherever the page is (use_directory_urls or not, any depth).
  var SCRIPT = document.currentScript && document.currentScript.src;
  var VEGA = SCRIPT ? new URL("vendor/vega.js", SCRIPT).href : "";
  var vegaLoading = null;

  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve();
    if (!vegaLoading) {
      vegaLoading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = VEGA;
        tag.onload = resolve;
        tag.onerror = function () { vegaLoading = null; reject(new Error("the chart library did not load")); };
        document.head.appendChild(tag);
      });
    }
    return vegaLoading;
  }

  function drawCharts() {
    var pending = document.querySelectorAll(".lb-chart:not([data-drawn])");
    if (!pending.length) return;
    loadVega().then(drawLoaded, function (err) {
      pending.forEach(function (el) { el.textContent = "This chart could not be drawn (" + err.message + "); its table is below."; });
    });
  }

  // One chart at a time, top first, each in its own task: the first chart paints without waiting for
  // the others to be compiled, and the page stays responsive while the rest are drawn.
  function drawLoaded() {
    var queue = Array.prototype.filter.call(document.querySelectorAll(".lb-chart"), function (el) {
      return !el.dataset.drawn && document.getElementById(el.dataset.spec);
    });
    queue.forEach(function (el) { el.dataset.drawn = "1"; });
    function next() {
      var el = queue.shift();
      if (!el) return;
      var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
      delete spec.title;  // the figure caption above the table carries the title, as text
      window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }).catch(function (err) {
        el.textContent = "This chart could not be drawn (" + err.message + "); its table is below.";
      }).then(function () { setTimeout(next, 0); });
    }
    next();
  }

  function cellValue(cell) {
    // Footnote markers are superscripts inside the cell: 575 with note 3 must sort as 575, not 5753.
    var copy = cell.cloneNode(true);
    copy.querySelectorAll("sup").forEach(function (sup) { sup.remove(); });
    var text = copy.textContent.trim();
    var n = parseFloat(text.replace(/[,%]/g, ""));
    return isNaN(n) ? text.toLowerCase() : n;
  }

  function makeSortable(table) {
    var head = table.tHead;
    if (!head || table.dataset.sortable || table.closest(".lb-profile")) return;
    table.dataset.sortable = "1";
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[index]), y = cellValue(b.cells[index]);
          if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }

  // Material's search overlay is a dialog with no accessible name (axe aria-dialog-name).
  function nameDialogs() {
    document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (el) {
      el.setAttribute("aria-label", "Search");
    });
  }

  // A wide table scrolls sideways in its own box instead of being clipped or widening the page. Material
  // wraps the tables it styles; tables inside a chart's <details> and our own are wrapped here.
  function makeScrollable(table) {
    var parent = table.parentElement;
    if (!parent || parent.classList.contains("md-typeset__table") || parent.classList.contains("lb-scroll")) return;
    var box = document.createElement("div");
    box.className = "lb-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
  }

  // Printed, a chart's table is part of the record: open every collapsed one first, close them again after.
  var openedForPrint = [];
  function openForPrint() {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; openedForPrint.push(d); });
  }
  function closeAfterPrint() {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  }
  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", closeAfterPrint);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) openForPrint(); };
    if (printing.addEventListener) printing.addEventListener("change", onChange);
    else if (printing.addListener) printing.addListener(onChange);
  }

  function init() {
    nameDialogs();
    drawCharts();
    document.querySelectorAll("article table").forEach(makeSortable);
    document.querySelectorAll("article table").forEach(makeScrollable);
  }

  // This file runs at the end of the page: start fetching the chart library now, before DOMContentLoaded.
  if (document.querySelector(".lb-chart")) loadVega().catch(function () { /* drawCharts reports it */ });

  // Material's instant navigation (if ever switched on) swaps pages without reloading this file: its
  // document$ announces each new page.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
