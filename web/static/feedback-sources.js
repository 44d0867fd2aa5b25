// Feedback sources page: the inbound webhook form, with a live test of its
// mapping against a sample payload, and the CSV import with its columns
// mapped by picking them. Everything a sender or a file holds is shown
// with textContent; nothing is parsed as HTML.
(function () {
  'use strict';

  var D, form, editing = null, timer = null, seq = 0;

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === 'text') el.textContent = attrs[k];
      else if (k === 'value') el.value = attrs[k];
      else el.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return el;
  }

  // ---- Presets -------------------------------------------------------------

  var presets = {
    zendesk: {
      hook: { name: 'zendesk', kind: 'ticket', auth: { scheme: 'token', header: 'Authorization' },
        mapping: { external_id: 'ticket.id', title: 'ticket.subject', text: ['ticket.description'], email: 'ticket.requester.email',
          customer_id: 'ticket.requester.id', created_at: 'ticket.created_at', score: 'ticket.satisfaction_rating.score',
          score_map: { good: 5, bad: 1 }, max_score: 5, survey_type: 'csat' } },
      payload: null, // the page's example ticket
    },
    freshdesk: {
      hook: { name: 'freshdesk', kind: 'ticket', auth: { scheme: 'token', header: 'Authorization' },
        mapping: { external_id: 'freshdesk_webhook.ticket_id', title: 'freshdesk_webhook.ticket_subject',
          text: ['freshdesk_webhook.ticket_description'], email: 'freshdesk_webhook.ticket_contact_email',
          created_at: 'freshdesk_webhook.ticket_created_at' } },
      payload: { freshdesk_webhook: { ticket_id: 812, ticket_subject: 'Refund still not received',
        ticket_description: 'I returned the shoes two weeks ago and the refund has not arrived. Very disappointed.',
        ticket_contact_email: 'bo.berg@example.com', ticket_created_at: '2026-11-21T16:40:00Z' } },
    },
    reviews: {
      hook: { name: 'reviews', kind: 'review', auth: { scheme: 'hmac_sha256', header: 'X-Signature', encoding: 'hex', prefix: 'sha256=' },
        mapping: { each: 'reviews', external_id: 'id', title: 'title', text: ['body'], score: 'stars', max_score: 5,
          survey_type: 'rating', email: 'author.email', created_at: 'published_at', language: 'lang' } },
      payload: { reviews: [
        { id: 'rv-1', title: 'Great blender', body: 'Works well and the delivery was fast.', stars: 5, author: { email: 'mai@example.com' }, published_at: '2026-11-19T10:00:00Z', lang: 'en' },
        { id: 'rv-2', title: 'Chất lượng kém', body: 'Sản phẩm bị lỗi, giao hàng chậm.', stars: 2, author: { email: 'lan@example.com' }, published_at: '2026-11-20T08:30:00Z', lang: 'vi' },
      ] },
    },
    custom: { hook: { name: '', kind: 'ticket', auth: { scheme: 'token', header: 'Authorization' }, mapping: {} }, payload: {} },
  };

  // ---- The hook form ---------------------------------------------------------

  function fill(hook, payload) {
    var m = hook.mapping || {}, a = hook.auth || {};
    var set = function (name, v) { var el = form.elements[name]; if (el) el.value = v === undefined || v === null ? '' : v; };
    set('name', hook.name);
    set('kind', hook.kind || 'ticket');
    set('channel', hook.channel || '');
    set('auth.scheme', a.scheme || 'token');
    set('auth.header', a.header || '');
    set('auth.encoding', a.encoding || 'hex');
    set('auth.prefix', a.prefix || '');
    set('auth.timestamp_header', a.timestamp_header || '');
    ['each', 'external_id', 'title', 'email', 'user_id', 'phone', 'customer_id', 'created_at', 'score', 'survey_type', 'language', 'touchpoint'].forEach(function (k) {
      set('mapping.' + k, m[k]);
    });
    set('mapping.text', (m.text || []).join(', '));
    set('mapping.max_score', m.max_score || '');
    set('mapping.score_map', Object.keys(m.score_map || {}).map(function (k) { return k + '=' + m.score_map[k]; }).join('\n'));
    if (payload !== undefined) form.elements.payload.value = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
    authFields();
  }

  function authFields() {
    form.querySelector('[data-hmac]').hidden = form.elements['auth.scheme'].value !== 'hmac_sha256';
  }

  // hook reads the form as the API's hook request.
  function hook() {
    var v = function (name) { return form.elements[name].value.trim(); };
    var m = {};
    ['each', 'external_id', 'title', 'email', 'user_id', 'phone', 'customer_id', 'created_at', 'score', 'survey_type', 'language', 'touchpoint'].forEach(function (k) {
      if (v('mapping.' + k)) m[k] = v('mapping.' + k);
    });
    var text = v('mapping.text').split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    if (text.length) m.text = text;
    if (v('mapping.max_score')) m.max_score = parseFloat(v('mapping.max_score'));
    var sm = {};
    v('mapping.score_map').split('\n').forEach(function (line) {
      var kv = line.split('=');
      if (kv.length === 2 && kv[0].trim()) sm[kv[0].trim()] = parseFloat(kv[1]);
    });
    if (Object.keys(sm).length) m.score_map = sm;
    var auth = { scheme: v('auth.scheme'), header: v('auth.header') };
    if (auth.scheme === 'hmac_sha256') {
      auth.encoding = v('auth.encoding');
      auth.prefix = form.elements['auth.prefix'].value;
      if (v('auth.timestamp_header')) auth.timestamp_header = v('auth.timestamp_header');
    }
    return { name: v('name'), kind: v('kind'), channel: v('channel'), auth: auth, mapping: m };
  }

  function clearErrors() {
    form.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    form.querySelector('.form-error').hidden = true;
  }

  // showError puts the API's message next to the field it names
  // ("mapping.text[0]" → the text field), else above the button.
  function showError(err) {
    var p = err.field || '';
    var el = null;
    while (p && !el) {
      el = form.querySelector('[data-path="' + CSS.escape(p) + '"]');
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
    if (!el) {
      var box = form.querySelector('.form-error');
      box.textContent = err.message;
      box.hidden = false;
      return;
    }
    el.setAttribute('aria-invalid', 'true');
    (el.closest('label') || el).insertAdjacentElement('afterend', h('p', { 'class': 'field-error', role: 'alert', text: err.message }));
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(test, 350);
  }

  // test runs the mapping over the sample on the server, storing nothing.
  function test() {
    var my = ++seq;
    var out = form.querySelector('[data-hook-preview]');
    var payload;
    clearErrors();
    try {
      payload = JSON.parse(form.elements.payload.value);
    } catch (e) {
      showError({ field: 'payload', message: 'The sample is not JSON: ' + e.message });
      return;
    }
    var body = hook();
    if (!body.name) body.name = 'sample';
    body.payload = payload;
    tp.api('POST', '/api/v1/feedback-hooks/test', body).then(function (res) {
      if (my !== seq) return;
      out.textContent = '';
      if (!res.items.length && !res.rejected.length) out.appendChild(h('p', { 'class': 'muted', text: 'This sample makes no feedback.' }));
      res.items.forEach(function (it) { out.appendChild(itemCard(it)); });
      res.rejected.forEach(function (r) {
        out.appendChild(h('p', { 'class': 'alert', text: 'Item ' + (r.index + 1) + ' would be refused: ' + r.error.message }));
      });
    }, function (err) {
      if (my !== seq) return;
      out.textContent = '';
      out.appendChild(h('p', { 'class': 'muted', text: 'Fix the highlighted field to see what the sample becomes.' }));
      showError(err);
    });
  }

  function itemCard(it) {
    var rows = [['Text', it.text], ['Title', it.title], ['Score', it.score !== undefined && it.score !== null ? it.score + (it.max_score ? ' / ' + it.max_score : '') + (it.survey_type ? ' (' + it.survey_type + ')' : '') : ''],
      ['Customer', [it.email, it.user_id].filter(Boolean).join(' · ')], ['Time', it.created_at ? new Date(it.created_at).toLocaleString() : ''],
      ['Id', it.external_id], ['Language', it.language], ['Touchpoint', it.touchpoint]];
    var dl = h('dl', { 'class': 'kv kv-compact' });
    rows.forEach(function (r) {
      if (!r[1]) return;
      dl.appendChild(h('dt', { text: r[0] }));
      dl.appendChild(h('dd', { dir: 'auto', text: r[1] }));
    });
    var badges = h('div', { 'class': 'fb-foot' });
    if (it.sentiment) badges.appendChild(h('span', { 'class': 'badge sent-' + it.sentiment, text: it.sentiment }));
    badges.appendChild(h('span', { 'class': 'badge ch-' + it.channel, text: it.channel }));
    (it.topics || []).forEach(function (t) { badges.appendChild(h('span', { 'class': 'chip chip-sm', text: t.replace(/_/g, ' ') })); });
    (it.flags || []).forEach(function (f) { badges.appendChild(h('span', { 'class': 'badge badge-amber', text: 'flag: ' + f })); });
    return h('article', { 'class': 'fb fb-sample' }, [badges, dl]);
  }

  function submit(e) {
    e.preventDefault();
    clearErrors();
    var btn = form.querySelector('[data-hook-submit]');
    btn.disabled = true;
    var req = editing ? tp.api('PUT', '/api/v1/feedback-hooks/' + encodeURIComponent(editing), hook()) : tp.api('POST', '/api/v1/feedback-hooks', hook());
    req.then(function (res) {
      location.href = '/feedback-sources?created=' + encodeURIComponent(res.id) + '#top';
    }, function (err) {
      btn.disabled = false;
      showError(err);
    });
  }

  function edit(id) {
    var hk = D.hooks.filter(function (x) { return x.id === id; })[0];
    if (!hk) return;
    editing = id;
    fill(hk, undefined);
    form.elements.name.disabled = false;
    document.querySelector('[data-hook-title]').textContent = 'Edit webhook ' + hk.name;
    form.querySelector('[data-hook-submit]').textContent = 'Save changes';
    document.querySelector('[data-cancel-edit]').hidden = false;
    document.getElementById('hook-card').scrollIntoView({ block: 'start' });
    changed();
  }

  function cancelEdit() {
    editing = null;
    document.querySelector('[data-hook-title]').textContent = 'New webhook';
    form.querySelector('[data-hook-submit]').textContent = 'Create webhook';
    document.querySelector('[data-cancel-edit]').hidden = true;
    pickPreset();
  }

  function pickPreset() {
    var p = presets[form.elements.preset.value];
    fill(p.hook, p.payload === null ? D.example : p.payload);
    clearTimeout(timer);
    test();
  }

  // ---- CSV import ------------------------------------------------------------

  var targets = [
    ['text', 'Text', /^(text|review|review.?text|comments?|body|message|description|feedback|content)$/i],
    ['title', 'Title', /^(title|subject|headline)$/i],
    ['score', 'Score', /^(score|rating|stars?|csat|nps)$/i],
    ['email', 'Customer email', /e-?mail/i],
    ['user_id', 'Customer user id', /^(user.?id|customer.?id|uid)$/i],
    ['phone', 'Customer phone', /phone|mobile/i],
    ['external_id', 'Id in the file', /^(id|review.?id|ticket.?id|external.?id)$/i],
    ['created_at', 'Time', /(date|time|created|submitted|published)/i],
    ['language', 'Language', /^(lang|language|locale)$/i],
    ['touchpoint', 'Touchpoint', /(touchpoint|product|store|location)/i],
  ];

  // csvRows parses the first rows of a CSV file (quotes, doubled quotes,
  // commas and line breaks inside quotes).
  function csvRows(text, max) {
    var rows = [], row = [], cell = '', q = false;
    for (var i = 0; i < text.length && rows.length < max; i++) {
      var c = text[i];
      if (q) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
      } else if (c === '"') q = true;
      else if (c === ',') { row.push(cell); cell = ''; }
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        row.push(cell); rows.push(row); row = []; cell = '';
      } else cell += c;
    }
    if ((cell || row.length) && rows.length < max) { row.push(cell); rows.push(row); }
    if (rows.length) rows[0][0] = rows[0][0].replace(/^\ufeff/, '');
    return rows;
  }

  var importFile = null, header = [];

  function readFile(file) {
    var imp = document.getElementById('import-form');
    importFile = file;
    var reader = new FileReader();
    reader.onload = function () {
      var rows = csvRows(String(reader.result).slice(0, 200000), 6);
      header = rows[0] || [];
      var fields = imp.querySelector('[data-import-fields]');
      fields.textContent = '';
      var used = {};
      targets.forEach(function (t) {
        var sel = h('select', { name: 'map.' + t[0], 'data-path': t[0] === 'text' ? 'map' : null }, [h('option', { value: '', text: '—' })]);
        header.forEach(function (col) { sel.appendChild(h('option', { value: col, text: col })); });
        var guess = header.filter(function (c) { return t[2].test(c) && !used[c]; })[0];
        if (guess) { sel.value = guess; used[guess] = true; }
        fields.appendChild(h('label', {}, [t[1], sel]));
      });
      var table = imp.querySelector('[data-import-sample]');
      table.textContent = '';
      table.appendChild(h('thead', {}, [h('tr', {}, header.map(function (c) { return h('th', { text: c }); }))]));
      table.appendChild(h('tbody', {}, rows.slice(1, 4).map(function (r) {
        return h('tr', {}, header.map(function (_, i) { return h('td', { dir: 'auto', text: (r[i] || '').slice(0, 140) }); }));
      })));
      imp.querySelector('[data-import-summary]').textContent = file.name + ': ' + header.length + ' columns. Say which column holds what; the first rows are below.';
      imp.querySelector('[data-import-map]').hidden = false;
      imp.querySelector('[data-import-submit]').disabled = false;
    };
    reader.readAsText(file);
  }

  function importCSV(e) {
    e.preventDefault();
    var imp = e.target;
    var err = imp.querySelector('.form-error');
    err.hidden = true;
    var map = [];
    targets.forEach(function (t) {
      var v = imp.elements['map.' + t[0]].value;
      if (v) map.push(t[0] + '=' + v);
    });
    var q = new URLSearchParams({ map: map.join(','), kind: imp.elements.kind.value });
    if (imp.elements.max_score.value) q.set('max_score', imp.elements.max_score.value);
    if (imp.elements.survey_type.value) q.set('survey_type', imp.elements.survey_type.value);
    if (imp.elements.channel.value.trim()) q.set('channel', imp.elements.channel.value.trim());
    var btn = imp.querySelector('[data-import-submit]');
    btn.disabled = true;
    var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
    fetch('/api/v1/feedback/import?' + q.toString(), { method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'text/csv', 'Accept': 'application/json' }, body: importFile })
      .then(function (resp) { return resp.json().then(function (data) { return { ok: resp.ok, data: data }; }); })
      .then(function (r) {
        btn.disabled = false;
        var box = imp.querySelector('[data-import-result]');
        box.textContent = '';
        if (!r.ok && !(r.data && r.data.rejected)) {
          err.textContent = (r.data && r.data.error && r.data.error.message) || 'The import failed.';
          err.hidden = false;
          return;
        }
        var accepted = r.data.accepted || 0, rejected = r.data.rejected || [];
        box.appendChild(h('p', {}, [h('strong', { text: accepted + ' rows imported' }), rejected.length ? ', ' + rejected.length + ' refused.' : '.',
          ' ', accepted ? h('a', { href: '/feedback?source=import', text: 'See them in the inbox' }) : null]));
        if (rejected.length) {
          box.appendChild(h('ul', { 'class': 'rejects' }, rejected.slice(0, 10).map(function (x) { return h('li', { text: x.error.message }); })));
        }
        box.hidden = false;
      }, function () {
        btn.disabled = false;
        err.textContent = 'Touchpoint could not be reached. Check your connection and try again.';
        err.hidden = false;
      });
  }

  // ---- Start -------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', function () {
    form = document.getElementById('hook-form');
    if (!form) return;
    D = JSON.parse(document.getElementById('sources-data').textContent);
    form.addEventListener('input', function (e) { if (e.target.name !== 'preset') changed(); });
    form.addEventListener('change', function (e) {
      if (e.target.name === 'preset') pickPreset();
      else if (e.target.name === 'auth.scheme') { authFields(); changed(); }
    });
    form.addEventListener('submit', submit);
    document.querySelectorAll('[data-edit-hook]').forEach(function (b) {
      b.addEventListener('click', function () { edit(b.dataset.editHook); });
    });
    document.querySelector('[data-cancel-edit]').addEventListener('click', cancelEdit);
    pickPreset();

    var imp = document.getElementById('import-form');
    imp.elements.file.addEventListener('change', function () { if (imp.elements.file.files[0]) readFile(imp.elements.file.files[0]); });
    imp.addEventListener('submit', importCSV);
  });
})();
