// Draw every chart on the page from its inert JSON spec with the vendored vega bundle, and make
// tables sortable. No network: the specs carry their data inline.
(function () {
  "use strict";

  function drawCharts() {
    document.querySelectorAll(".lb-chart").forEach(function (el) {
      var source = document.getElementById(el.dataset.spec);
      if (!source || el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(source.textContent);
      delete spec.title;  // the figure caption above the table carries the title, as text
      window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }).catch(function (err) {
        el.textContent = "This chart could not be drawn (" + err.message + "); its table is below.";
      });
    });
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
    if (!head || table.dataset.sortable) return;
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

  function init() {
    nameDialogs();
    drawCharts();
    document.querySelectorAll("article table").forEach(makeSortable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
