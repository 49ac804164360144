// The figures table: rows from window.NEWSDESK_FIGURES (data/figures-data.js), filtered by text
// and district, sorted by clicking a column head. Cells are filled with textContent only.
(function () {
  "use strict";
  var rows = window.NEWSDESK_FIGURES || [];
  var table = document.getElementById("figures");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var district = document.getElementById("district");
  var count = document.getElementById("count");
  var sortKey = null, sortDir = 1, numeric = false;
  var keys = ["text", "value", "unit", "subject", "period", "district", "headline"];

  var districts = {};
  rows.forEach(function (r) { if (r.district) districts[r.district] = true; });
  Object.keys(districts).sort().forEach(function (d) {
    var option = document.createElement("option");
    option.value = d; option.textContent = d;
    district.appendChild(option);
  });

  function render() {
    var needle = filter.value.trim().toLowerCase();
    var only = district.value;
    var shown = rows.filter(function (r) {
      if (only && r.district !== only) return false;
      if (!needle) return true;
      return keys.some(function (k) { return r[k] != null && String(r[k]).toLowerCase().indexOf(needle) >= 0; });
    });
    if (sortKey) {
      shown.sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        if (x == null) return 1; if (y == null) return -1;
        if (numeric) return (x - y) * sortDir;
        return String(x).localeCompare(String(y), "zh") * sortDir;
      });
    }
    var fragment = document.createDocumentFragment();
    shown.forEach(function (r) {
      var tr = document.createElement("tr");
      keys.forEach(function (k) {
        var td = document.createElement("td");
        if (k === "value") td.className = "num";
        if (k === "text" || k === "headline") {
          var a = document.createElement("a");
          a.href = r.url; a.textContent = r[k] == null ? "" : String(r[k]);
          td.appendChild(a);
        } else if (k === "value" && typeof r[k] === "number") {
          td.textContent = r[k].toLocaleString("zh-CN", { maximumFractionDigits: 6 });
        } else {
          td.textContent = r[k] == null ? "" : String(r[k]);
        }
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(fragment);
    count.textContent = shown.length + " / " + rows.length + " 项";
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      numeric = th.getAttribute("data-numeric") === "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.className = ""; });
      th.className = sortDir > 0 ? "asc" : "desc";
      render();
    });
  });
  filter.addEventListener("input", render);
  district.addEventListener("change", render);
  render();
})();
