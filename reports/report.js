/* evaluator report: sorting and searching the ranking table, finding a unit profile.
   Inlined at render time; without it the page is a plain, complete document (the tools
   stay hidden). Reads its words from the JSON in #report-data. */
(function () {
  "use strict";
  var words = {};
  try {
    var node = document.getElementById("report-data");
    words = node ? JSON.parse(node.textContent) : {};
  } catch (e) { words = {}; }

  function say(key, n, m) {
    return String(words[key] || "").replace("{n}", n).replace("{m}", m);
  }

  function show(tools) {
    for (var i = 0; i < tools.length; i++) { tools[i].hidden = false; }
  }
  show(document.querySelectorAll(".tools"));

  // ranking table: click a header to sort (again to reverse), type to filter
  var table = document.getElementById("ranking-table");
  if (table && table.tBodies.length) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var heads = table.tHead.rows[0].cells;
    var value = function (row, col) {
      var cell = row.cells[col];
      return cell ? cell.getAttribute("data-value") || "" : "";
    };
    Array.prototype.forEach.call(heads, function (th, col) {
      th.classList.add("sortable");
      th.setAttribute("tabindex", "0");
      th.title = th.title ? th.title + " — " + (words.sort || "") : (words.sort || "");
      var numeric = th.getAttribute("data-sort") === "num";
      var sort = function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var keyed = rows.map(function (row, k) { return [value(row, col), k, row]; });
        keyed.sort(function (a, b) {
          var x = a[0], y = b[0];
          if (x === "" && y === "") { return a[1] - b[1]; }
          if (x === "") { return 1; }          // missing values last, whatever the order
          if (y === "") { return -1; }
          var c = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y);
          return c !== 0 ? dir * c : a[1] - b[1];
        });
        keyed.forEach(function (k) { body.appendChild(k[2]); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sort(); }
      });
    });
    var search = document.getElementById("ranking-search");
    var count = document.getElementById("ranking-count");
    var filter = function () {
      var q = (search.value || "").trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var id = row.querySelector('[data-col="unit"]');   // a unit is found by id or name
        var text = row.textContent + " " + (id ? id.getAttribute("data-value") || "" : "");
        var hit = !q || text.toLowerCase().indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      count.textContent = q ? (shown ? say("shown", shown, rows.length) : say("none")) : "";
    };
    if (search) { search.addEventListener("input", filter); }
  }

  // unit profiles: open the one a link points at; search; expand or collapse all
  var profiles = Array.prototype.slice.call(document.querySelectorAll("details.profile"));
  var openTarget = function () {
    var id = decodeURIComponent((location.hash || "").slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  };
  window.addEventListener("hashchange", openTarget);
  openTarget();
  var psearch = document.getElementById("profile-search");
  var pcount = document.getElementById("profile-count");
  if (psearch) {
    psearch.addEventListener("input", function () {
      var q = (psearch.value || "").trim().toLowerCase();
      var shown = 0;
      profiles.forEach(function (p) {
        var s = p.querySelector("summary");
        var hit = !q || (s && s.textContent.toLowerCase().indexOf(q) !== -1);
        p.hidden = !hit;
        if (hit) { shown += 1; }
      });
      pcount.textContent = q ? (shown ? say("shown", shown, profiles.length) : say("none")) : "";
    });
  }
  var setAll = function (open) { profiles.forEach(function (p) { p.open = open; }); };
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  // printing: open the profiles chosen for print (the stylesheet hides the others) and
  // put every profile back as it was afterwards
  var before = null;
  window.addEventListener("beforeprint", function () {
    before = profiles.map(function (p) { return p.open; });
    profiles.forEach(function (p) { if (p.classList.contains("print")) { p.open = true; } });
  });
  window.addEventListener("afterprint", function () {
    if (before) { profiles.forEach(function (p, k) { p.open = before[k]; }); }
    before = null;
  });
})();
