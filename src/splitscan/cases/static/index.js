// splitscan case index: sorts and filters the cases embedded in #cases-data. Every value from the data is put in
// the page with textContent (never innerHTML), so a name with markup in it is shown as text.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("cases-data").textContent);
  var cases = data.cases;
  cases.forEach(function (c, i) { c._order = i; });
  var table = document.getElementById("cases");
  var tbody = table.querySelector("tbody");
  var count = document.getElementById("count");
  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var sort = { key: "rank", type: "num", dir: 1 };

  function compare(a, b) {
    var x = a[sort.key], y = b[sort.key];
    if (Array.isArray(x)) { x = x.join(", "); y = y.join(", "); }
    var xNull = x === null || x === undefined || x === "";
    var yNull = y === null || y === undefined || y === "";
    if (xNull || yNull) {
      if (xNull && yNull) { return a._order - b._order; }
      return xNull ? 1 : -1;  // empty values last in both directions
    }
    var d = sort.type === "num" ? x - y : (x < y ? -1 : x > y ? 1 : 0);
    return d !== 0 ? d * sort.dir : a._order - b._order;
  }

  function matches(c) {
    return selects.every(function (s) {
      if (s.value === "") { return true; }
      var v = c[s.getAttribute("data-filter")];
      return Array.isArray(v) ? v.indexOf(s.value) >= 0 : v === s.value;
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "\u2014" : String(text);
    if (cls) { td.className = cls; }
    tr.appendChild(td);
    return td;
  }

  function render() {
    var shown = cases.filter(matches).sort(compare);
    var rows = document.createDocumentFragment();
    shown.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-case-id", c.case_id);
      cell(tr, c.rank, "num");
      var link = document.createElement("a");
      link.href = c.href;
      link.textContent = c.case_id;
      cell(tr, "").replaceChildren(link);
      cell(tr, c.case_type);
      cell(tr, c.jurisdictions.join(", "));
      cell(tr, c.status, "status");
      cell(tr, c.score_text, "num");
      cell(tr, c.n_entities, "num");
      cell(tr, c.n_records, "num");
      cell(tr, c.duty_text, "num");
      cell(tr, c.first_arrival);
      cell(tr, c.last_arrival);
      cell(tr, c.summary);
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
    count.textContent = shown.length + " of " + cases.length + " cases shown";
    headers.forEach(function (th) {
      var key = th.getAttribute("data-key");
      th.setAttribute("aria-sort", key === sort.key ? (sort.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      if (sort.key === key) {
        sort.dir = -sort.dir;
      } else {
        sort = { key: key, type: th.getAttribute("data-type"), dir: 1 };
      }
      render();
    });
  });
  selects.forEach(function (s) { s.addEventListener("change", render); });
  render();
})();
