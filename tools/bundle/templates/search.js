// Offline full-text search over the sharded index in data/search/ (see tools/bundle/README.md):
// meta.js (loaded with the page) names the blocks of article texts; a query loads the term
// shards of its character bigrams, then only the blocks that hold all of them, and keeps the
// articles whose text contains the query (substring match, so two-character Chinese terms
// work). Scripts are loaded with <script> elements, which work from file://. Results are built
// with textContent only: page text is never parsed as HTML. The query comes from the form or the
// URL fragment (#q=...).
(function () {
  "use strict";
  var meta = window.NEWSDESK_SEARCH_META || { blocks: [], articles: 0, shards: 256 };
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var base = "data/search/";
  var loaded = {};
  var waiting = {};
  var generation = 0;

  window.NEWSDESK_SEARCH_LOADED = function (name, data) {
    loaded[name] = data;
    (waiting[name] || []).forEach(function (done) { done(data); });
    delete waiting[name];
  };

  function load(name) {
    return new Promise(function (resolve) {
      if (Object.prototype.hasOwnProperty.call(loaded, name)) { resolve(loaded[name]); return; }
      if (waiting[name]) { waiting[name].push(resolve); return; }
      waiting[name] = [resolve];
      var script = document.createElement("script");
      script.src = base + name + ".js";
      script.onerror = function () { window.NEWSDESK_SEARCH_LOADED(name, null); };
      document.head.appendChild(script);
    });
  }

  function indexable(c) {
    var p = c.codePointAt(0);
    return (p >= 48 && p <= 57) || (p >= 97 && p <= 122) ||
      (p >= 0x3040 && p <= 0x30FF) || (p >= 0x3400 && p <= 0x4DBF) || (p >= 0x4E00 && p <= 0x9FFF) ||
      (p >= 0xAC00 && p <= 0xD7AF) || (p >= 0xF900 && p <= 0xFAFF) || (p >= 0x20000 && p <= 0x2FA1F);
  }

  // The indexable bigrams of a lower-cased query, each with its shard (as the bundle computes it).
  function bigrams(needle) {
    var chars = Array.from(needle);
    var out = [];
    var seen = {};
    for (var i = 1; i < chars.length; i++) {
      if (!indexable(chars[i - 1]) || !indexable(chars[i])) continue;
      var gram = chars[i - 1] + chars[i];
      if (seen[gram]) continue;
      seen[gram] = true;
      var shard = (chars[i - 1].codePointAt(0) * 31 + chars[i].codePointAt(0)) % meta.shards;
      out.push({ gram: gram, shard: ("0" + shard.toString(16)).slice(-2) });
    }
    return out;
  }

  // The numbers of the blocks that may hold the query: every block when it has no bigram.
  function candidates(needle) {
    var grams = bigrams(needle);
    var all = meta.blocks.map(function (_, i) { return i; });
    if (!grams.length) return Promise.resolve(all);
    return Promise.all(grams.map(function (g) { return load("terms-" + g.shard); })).then(function (shards) {
      var blocks = null;
      grams.forEach(function (g, i) {
        var list = (shards[i] && shards[i][g.gram]) || [];
        if (blocks === null) { blocks = list.slice(); return; }
        var keep = {};
        list.forEach(function (b) { keep[b] = true; });
        blocks = blocks.filter(function (b) { return keep[b]; });
      });
      return blocks || [];
    });
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

  function show(doc, at, length) {
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
    li.appendChild(snippet(doc.text, at, length));
    results.appendChild(li);
  }

  function run(term) {
    term = term.trim();
    var mine = ++generation;
    while (results.firstChild) results.removeChild(results.firstChild);
    if (!term) { status.textContent = "共 " + meta.articles + " 篇报道，输入词语开始搜索。"; return; }
    var needle = term.toLowerCase();
    var hits = 0;
    status.textContent = "正在搜索“" + term + "”…";
    candidates(needle).then(function (blocks) {
      // Blocks load in parallel; results are shown in block order.
      return blocks.reduce(function (previous, b) {
        var docs = load(meta.blocks[b]);
        return previous.then(function () {
          return docs.then(function (list) {
            if (mine !== generation) return;
            (list || []).forEach(function (doc) {
              var at = doc.text.toLowerCase().indexOf(needle);
              if (at < 0) return;
              hits++;
              show(doc, at, term.length);
            });
          });
        });
      }, Promise.resolve());
    }).then(function () {
      if (mine === generation) status.textContent = "“" + term + "”：" + hits + " 篇报道";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    location.hash = "q=" + encodeURIComponent(input.value);
  });
  window.addEventListener("hashchange", function () { input.value = queryFromHash(); run(input.value); });

  function queryFromHash() {
    var match = /(?:^#|&)q=([^&]*)/.exec(location.hash);
    if (!match) return "";
    try { return decodeURIComponent(match[1].replace(/\+/g, " ")); } catch (e) { return match[1]; }
  }

  input.value = queryFromHash();
  run(input.value);
})();
