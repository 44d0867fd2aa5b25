// Touchpoint's browser tracker: analytics.js's API (page, track, identify,
// group, alias, reset, ready) sending to the Touchpoint server that served
// it. The install snippet defines window.analytics as a queue of calls and
// loads this file; the tracker then replays the queue and takes over.
//
// Calls are batched (sent after a short pause or once 20 are waiting),
// kept in localStorage until the server accepted them, and retried with
// backoff when the network or the server fails, so a page that is closed
// or offline loses nothing it can keep. Bodies go as text/plain, which
// browsers send cross-origin without a CORS preflight.
(function () {
  'use strict';
  var VERSION = '1.0.0';
  var w = window;
  var stub = w.analytics || [];
  if (stub.initialized) return;

  var opts = stub._options || {};
  var writeKey = stub._writeKey || opts.writeKey;
  var host = (opts.host || '').replace(/\/+$/, '');
  if (!host) {
    var cur = document.currentScript;
    host = cur && cur.src ? cur.src.replace(/\/tp\.js(\?.*)?$/, '') : '';
  }
  var flushAt = opts.flushAt || 20;
  var flushInterval = opts.flushInterval || 1000;
  var maxRetries = 10;
  var storeKey = 'tp_queue_' + writeKey;

  // Storage that never throws: private modes and full quotas fall back to
  // memory for the page's lifetime.
  var mem = {};
  var store = {
    get: function (k) {
      try { var v = w.localStorage.getItem(k); return v == null ? mem[k] : v; } catch (e) { return mem[k]; }
    },
    set: function (k, v) {
      mem[k] = v;
      try { w.localStorage.setItem(k, v); } catch (e) { /* memory only */ }
    },
    del: function (k) {
      delete mem[k];
      try { w.localStorage.removeItem(k); } catch (e) { /* memory only */ }
    },
  };

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function setCookie(name, value) {
    var secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=31536000; Path=/; SameSite=Lax' + secure;
  }

  function uuid() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    var b = new Uint8Array(16);
    (w.crypto || w.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // The anonymous id lives in a first-party cookie (so the site's server
  // can read it too) and in localStorage (in case cookies are cleared).
  function anonymousId() {
    var id = cookie('tp_anonymous_id') || store.get('tp_anonymous_id') || cookie('ajs_anonymous_id');
    if (id && id.charAt(0) === '"') id = id.slice(1, -1);
    if (!id) id = uuid();
    setCookie('tp_anonymous_id', id);
    store.set('tp_anonymous_id', id);
    return id;
  }

  function userId() { return store.get('tp_user_id') || null; }
  function userTraits() {
    try { return JSON.parse(store.get('tp_user_traits') || '{}'); } catch (e) { return {}; }
  }

  function pageInfo() {
    var canonical = document.querySelector("link[rel='canonical']");
    var url = canonical && canonical.href ? canonical.href : location.href;
    return { path: location.pathname, referrer: document.referrer, search: location.search, title: document.title, url: url };
  }

  function campaign() {
    var out = {};
    var q = location.search.replace(/^\?/, '').split('&');
    for (var i = 0; i < q.length; i++) {
      var kv = q[i].split('=');
      var k = decodeURIComponent(kv[0] || '');
      if (k.indexOf('utm_') !== 0) continue;
      var name = k.slice(4) === 'campaign' ? 'name' : k.slice(4);
      out[name] = decodeURIComponent((kv[1] || '').replace(/\+/g, ' '));
    }
    return out;
  }

  function context(extra) {
    var c = {
      library: { name: 'touchpoint.js', version: VERSION },
      page: pageInfo(),
      userAgent: navigator.userAgent,
      locale: navigator.language,
      screen: { width: w.screen && w.screen.width, height: w.screen && w.screen.height },
    };
    try { c.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* old browser */ }
    var camp = campaign();
    for (var k in camp) { c.campaign = camp; break; }
    if (extra) for (var key in extra) c[key] = extra[key];
    return c;
  }

  // The outbox: calls waiting to be sent, persisted between pages.
  var queue = [];
  try { queue = JSON.parse(store.get(storeKey) || '[]'); } catch (e) { queue = []; }
  var sending = false;
  var retries = 0;
  var timer = null;

  function save() { if (queue.length) store.set(storeKey, JSON.stringify(queue)); else store.del(storeKey); }

  function schedule(delay) {
    if (timer) return;
    timer = setTimeout(function () { timer = null; flush(); }, delay);
  }

  function enqueue(msg, cb) {
    msg.messageId = msg.messageId || uuid();
    msg.timestamp = msg.timestamp || new Date().toISOString();
    msg.anonymousId = msg.anonymousId || anonymousId();
    var uid = msg.userId || userId();
    if (uid) msg.userId = uid;
    queue.push(msg);
    if (queue.length > 1000) queue.splice(0, queue.length - 1000);
    save();
    if (queue.length >= flushAt) flush(); else schedule(flushInterval);
    if (typeof cb === 'function') setTimeout(cb, 0);
  }

  function flush() {
    if (sending || !queue.length) return;
    sending = true;
    var items = queue.slice(0, 100);
    var sentAt = new Date().toISOString();
    var body = JSON.stringify({ batch: items, writeKey: writeKey, sentAt: sentAt });
    fetch(host + '/v1/batch', {
      method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit',
      headers: { 'Content-Type': 'text/plain' },
    }).then(function (resp) {
      // 2xx: stored. 4xx other than 429: the server will never take these
      // (a revoked key, a malformed call): drop them rather than retry forever.
      if (resp.ok || (resp.status >= 400 && resp.status < 500 && resp.status !== 429)) {
        if (!resp.ok && w.console) w.console.warn('touchpoint: calls rejected with HTTP ' + resp.status);
        done(items.length, true);
      } else {
        done(0, false);
      }
    }, function () { done(0, false); });
  }

  function done(n, ok) {
    sending = false;
    if (ok) {
      queue.splice(0, n);
      retries = 0;
      save();
      if (queue.length) schedule(0);
      return;
    }
    retries++;
    if (retries > maxRetries) {
      // Give up for this page; the calls stay stored for the next one.
      retries = 0;
      return;
    }
    schedule(Math.min(60000, 500 * Math.pow(2, retries)) * (0.75 + Math.random() * 0.5));
  }

  // When the page goes away, hand what is waiting to the browser, which
  // sends it even after the page is gone.
  function beacon() {
    if (!queue.length || !navigator.sendBeacon) return;
    var body = JSON.stringify({ batch: queue.slice(0, 100), writeKey: writeKey, sentAt: new Date().toISOString() });
    if (navigator.sendBeacon(host + '/v1/batch', new Blob([body], { type: 'text/plain' }))) {
      queue.splice(0, 100);
      save();
    }
  }
  w.addEventListener('pagehide', beacon);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') beacon(); });

  function isObj(x) { return x && typeof x === 'object' && !Array.isArray(x); }
  function fn(args) { for (var i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i]; return null; }
  function ctxOf(options) { return isObj(options) && isObj(options.context) ? options.context : null; }
  function optTime(options, msg) { if (isObj(options) && options.timestamp) msg.timestamp = new Date(options.timestamp).toISOString(); }

  var api = {
    initialized: true,
    VERSION: VERSION,
    writeKey: writeKey,

    // page([category], [name], [properties], [options], [callback])
    page: function () {
      var a = Array.prototype.slice.call(arguments).filter(function (x) { return typeof x !== 'function'; });
      var category = null, name = null;
      if (typeof a[0] === 'string' && typeof a[1] === 'string') { category = a.shift(); name = a.shift(); }
      else if (typeof a[0] === 'string') { name = a.shift(); }
      var props = isObj(a[0]) ? a.shift() : {};
      var options = a.shift();
      var p = pageInfo();
      for (var k in props) p[k] = props[k];
      if (name) p.name = name;
      if (category) p.category = category;
      var msg = { type: 'page', properties: p, context: context(ctxOf(options)) };
      if (name) msg.name = name;
      if (category) msg.category = category;
      optTime(options, msg);
      enqueue(msg, fn(arguments));
      return api;
    },

    // track(event, [properties], [options], [callback])
    track: function (event, properties, options) {
      var msg = { type: 'track', event: String(event), properties: isObj(properties) ? properties : {}, context: context(ctxOf(options)) };
      optTime(options, msg);
      enqueue(msg, fn(arguments));
      return api;
    },

    // identify([userId], [traits], [options], [callback])
    identify: function (id, traits, options) {
      if (isObj(id)) { options = traits; traits = id; id = null; }
      if (id != null && id !== '') store.set('tp_user_id', String(id));
      var t = userTraits();
      if (isObj(traits)) for (var k in traits) t[k] = traits[k];
      store.set('tp_user_traits', JSON.stringify(t));
      var msg = { type: 'identify', traits: t, context: context(ctxOf(options)) };
      optTime(options, msg);
      enqueue(msg, fn(arguments));
      return api;
    },

    // group(groupId, [traits], [options], [callback])
    group: function (groupId, traits, options) {
      var msg = { type: 'group', groupId: String(groupId), traits: isObj(traits) ? traits : {}, context: context(ctxOf(options)) };
      enqueue(msg, fn(arguments));
      return api;
    },

    // alias(userId, [previousId], [options], [callback])
    alias: function (to, from) {
      var prev = typeof from === 'string' ? from : (userId() || anonymousId());
      var msg = { type: 'alias', userId: String(to), previousId: prev, context: context() };
      enqueue(msg, fn(arguments));
      return api;
    },

    // reset forgets the visitor: a new anonymous id, no user id or traits.
    reset: function () {
      store.del('tp_user_id');
      store.del('tp_user_traits');
      store.del('tp_anonymous_id');
      document.cookie = 'tp_anonymous_id=; Max-Age=0; Path=/';
      anonymousId();
      return api;
    },

    ready: function (cb) { if (typeof cb === 'function') setTimeout(cb, 0); return api; },
    flush: function () { flush(); return api; },
    debug: function () { return api; },
    user: function () {
      return { id: userId, anonymousId: anonymousId, traits: userTraits };
    },
  };

  w.analytics = api;
  anonymousId();
  // Replay what the page called before this file arrived.
  for (var i = 0; i < stub.length; i++) {
    var call = stub[i];
    if (call && api[call[0]]) api[call[0]].apply(api, call.slice(1));
  }
  if (queue.length) schedule(0);
})();
