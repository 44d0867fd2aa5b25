/*
 * Touchpoint survey widget. Shows a survey on a website when its rules
 * match, and sends the answers to the Touchpoint server it was loaded from.
 *
 *   <script async src="https://touchpoint.example/survey/v1/widget.js"
 *           data-write-key="wk_…"></script>
 *
 * Optional attributes: data-user-id (the signed-in customer), data-lang.
 * The visitor's ids come from analytics.js when it is on the page, so
 * answers join the same profile as the page's events. Page code may call
 * Touchpoint.track("Order Completed") to trigger surveys that wait for an
 * event (analytics.js track calls trigger them too), Touchpoint.identify(id)
 * after sign-in, and Touchpoint.page() after a single-page-app navigation.
 * Calls made before the script loads can be queued:
 *   window.Touchpoint = window.Touchpoint || []; Touchpoint.push(["track", "Signed Up"]);
 *
 * Everything shown is set as text, never parsed as HTML, and lives in its
 * own shadow root so the site's styles and the widget's do not mix.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || (window.Touchpoint && window.Touchpoint.loaded)) return;
  var base = new URL(script.src).origin;
  var writeKey = script.getAttribute("data-write-key") || "";
  var forcedLang = script.getAttribute("data-lang") || "";
  var queued = Array.isArray(window.Touchpoint) ? window.Touchpoint : [];
  var state = { userId: script.getAttribute("data-user-id") || "", surveys: [], shown: false, waiting: {}, seen: {}, timers: [] };

  function storageGet(k) {
    try { return window.localStorage.getItem(k); } catch (e) { return null; }
  }
  function storageSet(k, v) {
    try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  // analytics.js keeps its ids JSON-encoded in localStorage.
  function ajs(k) {
    var v = storageGet(k);
    if (!v) return "";
    try { var p = JSON.parse(v); return typeof p === "string" ? p : ""; } catch (e) { return v; }
  }
  function ids() {
    var a = window.analytics, uid = state.userId, anon = "";
    if (a && typeof a.user === "function") {
      try { uid = uid || a.user().id() || ""; anon = a.user().anonymousId() || ""; } catch (e) { /* not ready */ }
    }
    uid = uid || ajs("ajs_user_id");
    anon = anon || ajs("ajs_anonymous_id") || storageGet("tp_anonymous_id") || "";
    if (!anon) {
      anon = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
      storageSet("tp_anonymous_id", anon);
    }
    return { user_id: uid, anonymous_id: anon };
  }
  function language() {
    return forcedLang || document.documentElement.lang || navigator.language || "";
  }
  // Bodies go as text/plain so that no CORS preflight is needed.
  function post(path, body) {
    body.write_key = writeKey;
    return fetch(base + path, {
      method: "POST", mode: "cors", credentials: "omit", keepalive: true,
      headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw j; return j; });
    });
  }

  function matchURL(patterns) {
    if (!patterns || !patterns.length) return true;
    var here = location.href;
    return patterns.some(function (p) {
      var re = new RegExp("^" + p.split("*").map(function (s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join(".*") + "$");
      return re.test(here);
    });
  }

  function load() {
    state.timers.forEach(clearTimeout);
    state.timers = [];
    state.waiting = {};
    if (state.shown) return;
    var who = ids();
    post("/survey/v1/eligible", { user_id: who.user_id, anonymous_id: who.anonymous_id, url: location.href, language: language() })
      .then(function (res) {
        state.surveys = res.surveys || [];
        state.loaded = true;
        state.surveys.forEach(arm);
      })
      .catch(function (e) { warn(e); });
  }

  // arm waits for a survey's page-side rules: its event, then its delay.
  function arm(s) {
    var w = s.widget || {};
    if (!matchURL(w.urls)) return;
    if (w.event && !state.seen[w.event]) {
      (state.waiting[w.event] = state.waiting[w.event] || []).push(s);
    } else {
      later(s);
    }
  }
  function later(s) {
    var delay = ((s.widget && s.widget.delay_seconds) || 0) * 1000;
    state.timers.push(setTimeout(function () { show(s); }, delay));
  }
  function track(name) {
    state.seen[name] = true;
    var list = state.waiting[name];
    if (!list) return;
    delete state.waiting[name];
    list.forEach(later);
  }

  function show(s) {
    if (state.shown) return;
    state.shown = true;
    var who = ids();
    post("/survey/v1/invitations", { survey_id: s.id, user_id: who.user_id, anonymous_id: who.anonymous_id, url: location.href, language: s.language })
      .then(function (res) { render(res.survey || s, res.token); })
      .catch(function (e) { state.shown = false; warn(e); });
  }

  var css = [
    ":host{all:initial}",
    ".box{position:fixed;z-index:2147483000;bottom:20px;width:360px;max-width:calc(100vw - 40px);background:#fff;color:#1d2330;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(16,24,40,.2);padding:20px;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Tahoma,'Noto Sans',sans-serif}",
    ".bottom-right{right:20px}.bottom-left{left:20px}.center{left:50%;top:50%;bottom:auto;transform:translate(-50%,-50%)}",
    ".q{font-weight:600;margin:0 28px 12px 0}[dir=rtl] .q{margin:0 0 12px 28px}",
    ".close{position:absolute;top:10px;inset-inline-end:10px;border:0;background:none;font-size:20px;cursor:pointer;color:#667085}",
    ".scale{display:flex;flex-wrap:wrap;gap:4px}.scale button{flex:1 0 26px;padding:8px 0;border:1px solid #d0d5dd;border-radius:6px;background:#fff;cursor:pointer;font:inherit}",
    ".scale button:hover{background:#2456d3;color:#fff}.labels{display:flex;justify-content:space-between;font-size:12px;color:#667085;margin-top:4px}",
    ".choices{display:grid;gap:6px}.choices button,.choices label{text-align:start;padding:8px 10px;border:1px solid #d0d5dd;border-radius:6px;background:#fff;cursor:pointer;font:inherit}",
    "textarea{width:100%;box-sizing:border-box;min-height:80px;padding:8px;border:1px solid #d0d5dd;border-radius:6px;font:inherit}",
    ".actions{display:flex;gap:8px;margin-top:10px}.primary{background:#2456d3;color:#fff;border:0;border-radius:6px;padding:8px 14px;cursor:pointer;font:inherit}",
    ".secondary{background:none;border:1px solid #d0d5dd;border-radius:6px;padding:8px 14px;cursor:pointer;font:inherit}.thanks{padding:8px 0}"
  ].join("");

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = String(text);
    return e;
  }

  function render(s, token) {
    var host = el("div", { id: "touchpoint-survey", "data-survey": s.id });
    var root = host.attachShadow({ mode: "open" });
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(el("style", {}, css));
    }
    var pos = (s.widget && s.widget.position) || "bottom-right";
    var box = el("div", { "class": "box " + pos, dir: s.dir, lang: s.language, role: "dialog", "aria-live": "polite" });
    root.appendChild(box);
    document.body.appendChild(host);
    var answers = [];

    function close(dismiss) {
      host.remove();
      if (dismiss) post("/survey/v1/dismiss", { token: token }).catch(warn);
    }
    function send(answer) {
      box.setAttribute("aria-busy", "true");
      post("/survey/v1/answers", { token: token, answers: [answer], language: s.language })
        .then(function (res) {
          box.removeAttribute("aria-busy");
          answers.push(answer.question_id);
          if (res.complete || !res.next) return thanks(res.thank_you || s.thank_you);
          ask(res.next);
        })
        .catch(function (e) { box.removeAttribute("aria-busy"); warn(e); });
    }
    function thanks(text) {
      box.textContent = "";
      box.appendChild(el("p", { "class": "thanks", role: "status" }, text));
      setTimeout(function () { close(false); }, 4000);
    }
    function ask(id) {
      var q = (s.questions || []).filter(function (x) { return x.id === id; })[0];
      if (!q) return thanks(s.thank_you);
      box.textContent = "";
      var x = el("button", { "class": "close", type: "button", "aria-label": s.ui.close }, "\u00d7");
      x.addEventListener("click", function () { close(true); });
      box.appendChild(x);
      box.appendChild(el("p", { "class": "q", id: "tpq" }, q.text));
      if (q.type === "text") {
        var ta = el("textarea", { maxlength: "5000", placeholder: s.ui.placeholder, "aria-labelledby": "tpq" });
        box.appendChild(ta);
        var acts = el("div", { "class": "actions" });
        var ok = el("button", { "class": "primary", type: "button" }, s.ui.submit);
        ok.addEventListener("click", function () {
          var t = ta.value.trim();
          send(t ? { question_id: q.id, text: t } : { question_id: q.id, skipped: true });
        });
        acts.appendChild(ok);
        box.appendChild(acts);
      } else if (q.type === "single_choice" || q.type === "multiple_choice") {
        var list = el("div", { "class": "choices", role: "group", "aria-labelledby": "tpq" });
        var picked = [];
        q.choices.forEach(function (c) {
          if (q.type === "single_choice") {
            var b = el("button", { type: "button", "data-choice": c.id }, c.text);
            b.addEventListener("click", function () { send({ question_id: q.id, choices: [c.id] }); });
            list.appendChild(b);
          } else {
            var lab = el("label", {});
            var cb = el("input", { type: "checkbox", value: c.id });
            cb.addEventListener("change", function () {
              picked = cb.checked ? picked.concat([c.id]) : picked.filter(function (v) { return v !== c.id; });
            });
            lab.appendChild(cb);
            lab.appendChild(document.createTextNode(" " + c.text));
            list.appendChild(lab);
          }
        });
        box.appendChild(list);
        if (q.type === "multiple_choice") {
          var next = el("button", { "class": "primary", type: "button" }, s.ui.next);
          next.addEventListener("click", function () { if (picked.length) send({ question_id: q.id, choices: picked }); });
          var a2 = el("div", { "class": "actions" });
          a2.appendChild(next);
          box.appendChild(a2);
        }
      } else {
        var scale = el("div", { "class": "scale", role: "group", "aria-labelledby": "tpq" });
        for (var v = q.min; v <= q.max; v++) {
          (function (v) {
            var b = el("button", { type: "button", "data-score": String(v) }, v);
            b.addEventListener("click", function () { send({ question_id: q.id, score: v }); });
            scale.appendChild(b);
          })(v);
        }
        box.appendChild(scale);
        if (q.min_label || q.max_label) {
          var labels = el("div", { "class": "labels" });
          labels.appendChild(el("span", {}, q.min_label || ""));
          labels.appendChild(el("span", {}, q.max_label || ""));
          box.appendChild(labels);
        }
      }
      if (!q.required) {
        var skip = el("button", { "class": "secondary", type: "button", "data-skip": "1" }, s.ui.skip);
        skip.addEventListener("click", function () { send({ question_id: q.id, skipped: true }); });
        var a3 = el("div", { "class": "actions" });
        a3.appendChild(skip);
        box.appendChild(a3);
      }
      var first = box.querySelector("button:not(.close), textarea");
      if (first) first.focus({ preventScroll: true });
    }
    ask(s.questions[0].id);
  }

  function warn(e) {
    if (window.console && console.warn) console.warn("touchpoint survey:", (e && e.error && e.error.message) || e);
  }

  var api = {
    loaded: true,
    track: function (name) { track(String(name)); },
    identify: function (userId) { state.userId = String(userId || ""); load(); },
    page: function () { state.loaded = false; load(); },
    // status tells page code (and tests) whether the rules were fetched and
    // which surveys wait to be shown.
    status: function () {
      return { loaded: !!state.loaded, shown: state.shown, surveys: state.surveys.map(function (s) { return s.id; }) };
    },
    push: function (call) { if (call && api[call[0]]) api[call[0]].apply(null, call.slice(1)); }
  };
  window.Touchpoint = api;

  // analytics.js track calls trigger surveys that wait for an event.
  var a = window.analytics;
  if (a && typeof a.on === "function") {
    try { a.on("track", function (event) { track(event); }); } catch (e) { /* older snippet */ }
  }
  load();
  queued.forEach(api.push);
})();
