// Offline full-text search over window.NEWSDESK_SEARCH (data/search-index.js): substring match,
// so two-character Chinese terms work. Results are built with textContent only: page text is
// never parsed as HTML. The query comes from the form or the URL fragment (#q=...).
(function () {
  "use strict";
  var index = window.NEWSDESK_SEARCH || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("status");

  function queryFromHash() {
    var match = /(?:^#|&)q=([^&]*)/.exec(location.hash);
    if (!match) return "";
    try { return decodeURIComponent(match[1].replace(/\+/g, " ")); } catch (e) { return match[1]; }
  }

  function snippet(text, at, length) {
    var start = Math.max(0, at - 30);
    var end = Math.min(text.length, at + length + 50);
    var p = document.createElement("p");
    p.className = "snippet";
    p.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + length);
    p.appendChild(mark);
    p.appendChild(document.createTextNode(text.slice(at + length, end) + (end < text.length ? "…" : "")));
    return p;
  }

  function run(term) {
    term = term.trim();
    while (results.firstChild) results.removeChild(results.firstChild);
    if (!term) { status.textContent = "共 " + index.length + " 篇报道，输入词语开始搜索。"; return; }
    var needle = term.toLowerCase();
    var hits = 0;
    for (var i = 0; i < index.length; i++) {
      var doc = index[i];
      var at = doc.text.toLowerCase().indexOf(needle);
      if (at < 0) continue;
      hits++;
      var li = document.createElement("li");
      li.className = "result";
      var a = document.createElement("a");
      a.href = doc.url;
      a.textContent = doc.headline;
      li.appendChild(a);
      if (doc.district) {
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = " " + doc.district;
        li.appendChild(meta);
      }
      li.appendChild(snippet(doc.text, at, term.length));
      results.appendChild(li);
    }
    status.textContent = "“" + term + "”：" + hits + " 篇报道";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    location.hash = "q=" + encodeURIComponent(input.value);
  });
  window.addEventListener("hashchange", function () { input.value = queryFromHash(); run(input.value); });
  input.value = queryFromHash();
  run(input.value);
})();
