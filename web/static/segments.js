// Segments: the builder (conditions added and combined without JSON, a
// live size estimate, the JSON for those who want it), the size chart of a
// segment's page and the feature bars of the personas page.
//
// The builder keeps a tree: groups (all or any of their items, optionally
// excluded) and conditions of nine kinds. Every change rebuilds the
// definition the API takes (toDefinition), shows it as JSON and asks for an
// estimate. Untrusted text is only ever put into the page as text.
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function api(method, path, body) {
    var opts = { method: method, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var err = new Error((data && data.error && data.error.message) || 'The server answered ' + resp.status + '.');
          err.field = data && data.error && data.error.field;
          throw err;
        }
        return data;
      });
    }, function () { throw new Error('Touchpoint could not be reached.'); });
  }

  // el makes an element: el('div', {className: 'x', text: 'y'}, [children]).
  function el(tag, props, kids) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'dataset') Object.keys(props[k]).forEach(function (d) { e.dataset[d] = props[k][d]; });
      else if (k === 'aria') Object.keys(props[k]).forEach(function (a) { e.setAttribute('aria-' + a, props[k][a]); });
      else e[k] = props[k];
    });
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function select(options, value, label) {
    var s = el('select', { aria: { label: label } });
    options.forEach(function (o) {
      var opt = el('option', { value: o[0], text: o[1] });
      if (String(o[0]) === String(value)) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }

  var listId = 0;
  // input with suggestions from a datalist.
  function input(value, placeholder, label, suggestions, type) {
    var i = el('input', { type: type || 'text', value: value == null ? '' : String(value), placeholder: placeholder || '', aria: { label: label } });
    if (suggestions && suggestions.length) {
      var id = 'seg-list-' + (++listId);
      var dl = el('datalist', { id: id });
      suggestions.slice(0, 200).forEach(function (s) { dl.appendChild(el('option', { value: s })); });
      i.setAttribute('list', id);
      var wrap = el('span', { className: 'seg-field' }, [i, dl]);
      wrap.input = i;
      return wrap;
    }
    var w = el('span', { className: 'seg-field' }, [i]);
    w.input = i;
    return w;
  }

  // ---- values ---------------------------------------------------------------

  // parseValue reads what a person typed for an operator.
  function parseValue(op, text) {
    text = (text || '').trim();
    if (op === 'exists' || op === 'not_exists') return undefined;
    if (op === 'in') {
      var parts = text.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
      if (parts.length && parts.every(isNum)) return parts.map(Number);
      return parts;
    }
    if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'within_last' || op === 'more_than') return text === '' ? text : (isNum(text) ? Number(text) : text);
    if (text === 'true' || text === 'false') return text === 'true';
    if (isNum(text)) return Number(text);
    return text;
  }
  function isNum(s) { return s !== '' && !isNaN(Number(s)) && /^-?[0-9.eE+-]+$/.test(s); }
  function showValue(v) {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.join(', ');
    return String(v);
  }

  var valueOps = [['eq', 'is'], ['neq', 'is not'], ['contains', 'contains'], ['in', 'is one of'], ['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤'], ['exists', 'is set'], ['not_exists', 'is not set']];
  var countOps = [['gte', 'at least'], ['lte', 'at most'], ['eq', 'exactly'], ['gt', 'more than'], ['lt', 'fewer than']];
  var numberComputed = ['events', 'orders', 'revenue', 'last_nps'];
  var timeComputed = ['first_seen', 'last_seen', 'last_order_at'];

  var kinds = [
    ['event', 'Did an event'], ['no_event', 'Did not do an event'], ['trait', 'Profile trait'], ['computed', 'Computed trait'],
    ['nps', 'Last NPS answer'], ['sentiment', 'Feedback sentiment'], ['journey', 'Journey'], ['account', 'Account trait'],
    ['consent', 'Consent'], ['segment', 'In another segment'], ['group', 'Group of conditions']
  ];

  // ---- the tree ↔ the definition --------------------------------------------

  function newLeaf(kind) {
    switch (kind) {
      case 'event': return { kind: 'event', name: '', op: 'gte', count: 1, days: 30, where: [] };
      case 'no_event': return { kind: 'no_event', name: '', days: 14, where: [] };
      case 'trait': return { kind: 'trait', key: '', op: 'eq', value: '' };
      case 'account': return { kind: 'account', key: '', op: 'eq', value: '' };
      case 'computed': return { kind: 'computed', key: 'orders', op: 'gte', value: '1' };
      case 'nps': return { kind: 'nps', op: 'lte', value: '6', days: '' };
      case 'sentiment': return { kind: 'sentiment', sentiment: 'negative', op: 'gte', count: 1, days: 30 };
      case 'journey': return { kind: 'journey', journey: '', state: 'in', days: '' };
      case 'consent': return { kind: 'consent', channel: 'email', status: 'subscribed' };
      case 'segment': return { kind: 'segment', id: '' };
      case 'group': return { kind: 'group', op: 'or', items: [] };
    }
  }

  function days(v) { var n = parseInt(v, 10); return isNaN(n) || n <= 0 ? undefined : n; }
  function num(v) { var n = Number(v); return v === '' || isNaN(n) ? v : n; }

  function leafDef(n) {
    var d;
    switch (n.kind) {
      case 'group':
        d = {}; d[n.op] = n.items.map(nodeDef);
        break;
      case 'event':
      case 'no_event':
        var e = { name: n.name };
        if (n.channel) e.channel = n.channel;
        if (n.where.length) e.where = n.where.map(function (w) { var f = { property: w.property, op: w.op }; var v = parseValue(w.op, w.value); if (v !== undefined) f.value = v; return f; });
        if (n.kind === 'no_event') { e.op = 'eq'; e.count = 0; } else { e.op = n.op; e.count = num(n.count); }
        if (days(n.days)) e.within_days = days(n.days);
        d = { event: e };
        break;
      case 'trait':
      case 'account':
        var t = { key: n.key, op: n.op }; var tv = parseValue(n.op, n.value); if (tv !== undefined) t.value = tv;
        d = {}; d[n.kind] = t;
        break;
      case 'computed':
        var c = { key: n.key, op: n.op }; var cv = parseValue(n.op, n.value); if (cv !== undefined) c.value = cv;
        d = { computed: c };
        break;
      case 'nps':
        var f = { metric: 'nps', op: n.op }; var fv = parseValue(n.op, n.value); if (fv !== undefined) f.value = fv;
        if (days(n.days)) f.within_days = days(n.days);
        d = { feedback: f };
        break;
      case 'sentiment':
        var s = { metric: 'sentiment', sentiment: n.sentiment, op: n.op, count: num(n.count) };
        if (days(n.days)) s.within_days = days(n.days);
        d = { feedback: s };
        break;
      case 'journey':
        var j = { journey_id: n.journey, state: n.state };
        if (n.state !== 'in' && days(n.days)) j.within_days = days(n.days);
        d = { journey: j };
        break;
      case 'consent': d = { consent: { channel: n.channel, status: n.status } }; break;
      case 'segment': d = { segment: { id: n.id } }; break;
    }
    return d;
  }
  function nodeDef(n) { var d = leafDef(n); return n.not ? { not: d } : d; }

  // fromDef turns a definition back into a tree node.
  function fromDef(d) {
    if (d.not) {
      // "did not do X" is a condition of its own.
      if (d.not.event && (d.not.event.op || 'gte') === 'gte' && (d.not.event.count || 1) === 1) {
        var ne = fromDef(d.not); ne.kind = 'no_event'; return ne;
      }
      var inner = fromDef(d.not); inner.not = !inner.not; return inner;
    }
    if (d.and || d.or) {
      return { kind: 'group', op: d.and ? 'and' : 'or', items: (d.and || d.or).map(fromDef) };
    }
    if (d.event) {
      var e = d.event, kind = (e.op === 'eq' && e.count === 0) ? 'no_event' : 'event';
      return { kind: kind, name: e.name || '', channel: e.channel || '', op: e.op || 'gte', count: e.count == null ? 1 : e.count, days: e.within_days || '',
        where: (e.where || []).map(function (w) { return { property: w.property, op: w.op, value: showValue(w.value) }; }) };
    }
    if (d.trait) return { kind: 'trait', key: d.trait.key, op: d.trait.op, value: showValue(d.trait.value) };
    if (d.account) return { kind: 'account', key: d.account.key, op: d.account.op, value: showValue(d.account.value) };
    if (d.computed) return { kind: 'computed', key: d.computed.key, op: d.computed.op, value: showValue(d.computed.value) };
    if (d.feedback && d.feedback.metric === 'nps') return { kind: 'nps', op: d.feedback.op, value: showValue(d.feedback.value), days: d.feedback.within_days || '' };
    if (d.feedback) return { kind: 'sentiment', sentiment: d.feedback.sentiment, op: d.feedback.op || 'gte', count: d.feedback.count == null ? 1 : d.feedback.count, days: d.feedback.within_days || '' };
    if (d.journey) return { kind: 'journey', journey: d.journey.journey_id, state: d.journey.state, days: d.journey.within_days || '' };
    if (d.consent) return { kind: 'consent', channel: d.consent.channel, status: d.consent.status };
    if (d.segment) return { kind: 'segment', id: d.segment.id };
    throw new Error('a condition is empty');
  }

  // The root is always a group; a definition that is one condition is a
  // group of one.
  function rootFromDef(d) {
    var n = fromDef(d);
    if (n.kind === 'group' && !n.not) return n;
    return { kind: 'group', op: 'and', items: [n] };
  }
  function rootDef(root) {
    if (root.items.length === 1 && !root.not) return nodeDef(root.items[0]);
    return nodeDef(root);
  }

  // ---- the builder ------------------------------------------------------------

  function builder(root) {
    var setup = JSON.parse(document.getElementById('builder-setup').textContent);
    var hints = setup.hints || {};
    var seg = setup.segment;
    var tree = { kind: 'group', op: 'and', items: [] };
    var meta = root.querySelector('.seg-meta');
    var nameIn = meta.querySelector('[name=name]'), descIn = meta.querySelector('[name=description]'), personaIn = meta.querySelector('[name=persona]');
    if (seg) {
      nameIn.value = seg.name; descIn.value = seg.description || ''; personaIn.checked = !!seg.persona;
      try { tree = rootFromDef(seg.condition); } catch (e) { tree = { kind: 'group', op: 'and', items: [] }; }
    }
    var host = root.querySelector('[data-tree]');
    var jsonBox = root.querySelector('[data-json]');
    var timer = null, seq = 0;

    function changed(rebuild) {
      if (rebuild) render();
      var hasAny = tree.items.length > 0;
      jsonBox.value = hasAny ? JSON.stringify(rootDef(tree), null, 2) : '';
      clearTimeout(timer);
      timer = setTimeout(estimate, 350);
    }

    function estimate() {
      var box = root.querySelector('[data-estimate]');
      var size = box.querySelector('[data-estimate-size]'), note = box.querySelector('[data-estimate-note]'), err = box.querySelector('[data-estimate-error]');
      var bar = box.querySelector('[data-estimate-bar]');
      err.hidden = true;
      if (!tree.items.length) {
        size.textContent = '–'; note.textContent = 'Add a condition to see how many customers match.'; bar.style.width = '0';
        box.dataset.state = 'empty';
        return;
      }
      var mine = ++seq;
      box.dataset.state = 'busy';
      note.textContent = 'Estimating…';
      api('POST', '/api/v1/segments/estimate', { condition: rootDef(tree) }).then(function (r) {
        if (mine !== seq) return;
        size.textContent = Number(r.size).toLocaleString();
        var share = r.total ? r.size / r.total : 0;
        note.textContent = 'of ' + Number(r.total).toLocaleString() + ' customers (' + (Math.round(share * 1000) / 10) + '%), now';
        bar.style.width = Math.max(share * 100, r.size ? 1 : 0) + '%';
        box.dataset.state = 'done';
      }, function (e) {
        if (mine !== seq) return;
        size.textContent = '–';
        note.textContent = 'Fix the condition to see an estimate.';
        err.textContent = e.message;
        err.hidden = false;
        box.dataset.state = 'error';
      });
    }

    function render() {
      host.textContent = '';
      host.appendChild(groupView(tree, null));
    }

    function groupView(g, parent) {
      var box = el('div', { className: 'seg-group' + (parent ? ' seg-subgroup' : '') });
      var head = el('div', { className: 'seg-group-head' });
      var op = select([['and', 'all'], ['or', 'any']], g.op, 'Match all or any');
      op.addEventListener('change', function () { g.op = op.value; changed(false); });
      head.appendChild(el('span', { text: parent ? (g.not ? 'Exclude customers matching ' : 'Customers matching ') : 'Customers who match ' }));
      head.appendChild(op);
      head.appendChild(el('span', { text: ' of these:' }));
      if (parent) {
        head.appendChild(notToggle(g));
        head.appendChild(removeButton(parent, g));
      }
      box.appendChild(head);
      var list = el('div', { className: 'seg-items' });
      if (!g.items.length) list.appendChild(el('p', { className: 'muted seg-none', text: parent ? 'An empty group matches no one: add a condition.' : 'No conditions yet. Add one below.' }));
      g.items.forEach(function (item) { list.appendChild(item.kind === 'group' ? groupView(item, g) : leafView(item, g)); });
      box.appendChild(list);
      var add = el('div', { className: 'seg-add' });
      var kindSel = select([['', 'Add a condition…']].concat(kinds.filter(function (k) { return parent ? k[0] !== 'group' : true; })), '', 'Kind of condition');
      kindSel.dataset.addKind = '';
      kindSel.addEventListener('change', function () {
        if (!kindSel.value) return;
        g.items.push(newLeaf(kindSel.value));
        changed(true);
        // Focus the new condition's first field.
        var last = host.querySelectorAll('.seg-cond');
        if (last.length) { var f = last[last.length - 1].querySelector('input, select'); if (f) f.focus(); }
      });
      add.appendChild(kindSel);
      box.appendChild(add);
      return box;
    }

    function notToggle(n) {
      var b = el('button', { type: 'button', className: 'btn btn-small btn-ghost seg-not' + (n.not ? ' on' : ''), text: n.not ? 'Excluded' : 'Exclude', title: 'Match customers who do not meet this' });
      b.setAttribute('aria-pressed', n.not ? 'true' : 'false');
      b.addEventListener('click', function () { n.not = !n.not; changed(true); });
      return b;
    }

    function removeButton(parent, n) {
      var b = el('button', { type: 'button', className: 'btn btn-small btn-ghost seg-remove', text: '✕', title: 'Remove', aria: { label: 'Remove condition' } });
      b.addEventListener('click', function () { parent.items.splice(parent.items.indexOf(n), 1); changed(true); });
      return b;
    }

    // bind connects a control to a field of a node; rebuild redraws (when
    // the field changes which other fields show).
    function bind(ctrl, n, key, rebuild) {
      var c = ctrl.input || ctrl;
      c.addEventListener(c.tagName === 'SELECT' ? 'change' : 'input', function () { n[key] = c.value; changed(!!rebuild); });
      return ctrl;
    }

    function leafView(n, parent) {
      var row = el('div', { className: 'seg-cond' + (n.not ? ' seg-excluded' : ''), dataset: { kind: n.kind } });
      var label = (kinds.filter(function (k) { return k[0] === n.kind; })[0] || ['', n.kind])[1];
      row.appendChild(el('span', { className: 'seg-kind', text: (n.not ? 'not: ' : '') + label }));
      var f = el('div', { className: 'seg-fields' });
      var t = function (s) { return el('span', { className: 'seg-word', text: s }); };
      switch (n.kind) {
        case 'event':
        case 'no_event':
          f.appendChild(bind(input(n.name, 'Order Completed', 'Event name', hints.events), n, 'name'));
          if (n.kind === 'event') {
            f.appendChild(bind(select(countOps, n.op, 'How many times'), n, 'op'));
            f.appendChild(bind(input(n.count, '1', 'Count', null, 'number'), n, 'count'));
            f.appendChild(t('times'));
          }
          f.appendChild(t('in the last'));
          f.appendChild(bind(input(n.days, 'ever', 'Days (empty: ever)', null, 'number'), n, 'days'));
          f.appendChild(t('days'));
          var chans = hints.channels || [];
          f.appendChild(bind(select([['', 'on any channel']].concat(chans.map(function (c) { return [c, 'on ' + c]; })), n.channel || '', 'Channel'), n, 'channel'));
          n.where.forEach(function (w, i) {
            var props = (hints.properties || {})[n.name] || [];
            var wr = el('div', { className: 'seg-where' }, [t('where'), bind(input(w.property, 'revenue', 'Property', props), w, 'property'),
              bind(select(valueOps, w.op, 'Comparison'), w, 'op', true)]);
            if (w.op !== 'exists' && w.op !== 'not_exists') wr.appendChild(bind(input(w.value, 'value', 'Value'), w, 'value'));
            var rm = el('button', { type: 'button', className: 'btn btn-small btn-ghost', text: '✕', aria: { label: 'Remove property filter' } });
            rm.addEventListener('click', function () { n.where.splice(i, 1); changed(true); });
            wr.appendChild(rm);
            f.appendChild(wr);
          });
          var addW = el('button', { type: 'button', className: 'btn btn-small btn-ghost seg-add-where', text: '+ property filter' });
          addW.addEventListener('click', function () { n.where.push({ property: '', op: 'eq', value: '' }); changed(true); });
          f.appendChild(addW);
          break;
        case 'trait':
        case 'account':
          f.appendChild(bind(input(n.key, n.kind === 'trait' ? 'plan' : 'tier', 'Trait', n.kind === 'trait' ? hints.traits : hints.account_traits), n, 'key'));
          f.appendChild(bind(select(valueOps, n.op, 'Comparison'), n, 'op', true));
          if (n.op !== 'exists' && n.op !== 'not_exists') f.appendChild(bind(input(n.value, n.op === 'in' ? 'pro, enterprise' : 'pro', 'Value'), n, 'value'));
          break;
        case 'computed':
          var isTime = timeComputed.indexOf(n.key) >= 0;
          var keySel = select(numberComputed.concat(timeComputed).map(function (k) { return [k, k.replace(/_/g, ' ')]; }), n.key, 'Computed trait');
          keySel.addEventListener('change', function () {
            n.key = keySel.value;
            var time = timeComputed.indexOf(n.key) >= 0;
            n.op = time ? 'within_last' : 'gte';
            n.value = time ? '30' : '1';
            changed(true);
          });
          f.appendChild(keySel);
          var ops = isTime ? [['within_last', 'within the last'], ['more_than', 'more than'], ['exists', 'is known'], ['not_exists', 'is not known']]
            : valueOps.filter(function (o) { return ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'].indexOf(o[0]) >= 0 || (n.key === 'last_nps' && (o[0] === 'exists' || o[0] === 'not_exists')); });
          f.appendChild(bind(select(ops, n.op, 'Comparison'), n, 'op', true));
          if (n.op !== 'exists' && n.op !== 'not_exists') {
            f.appendChild(bind(input(n.value, '', 'Value', null, 'number'), n, 'value'));
            if (isTime) f.appendChild(t(n.op === 'more_than' ? 'days ago' : 'days'));
          }
          break;
        case 'nps':
          f.appendChild(bind(select([['lte', '≤'], ['gte', '≥'], ['eq', '='], ['lt', '<'], ['gt', '>'], ['exists', 'was given'], ['not_exists', 'was not given']], n.op, 'Comparison'), n, 'op', true));
          if (n.op !== 'exists' && n.op !== 'not_exists') f.appendChild(bind(input(n.value, '6', 'Score 0 to 10', null, 'number'), n, 'value'));
          f.appendChild(t('in the last'));
          f.appendChild(bind(input(n.days, 'ever', 'Days (empty: ever)', null, 'number'), n, 'days'));
          f.appendChild(t('days'));
          break;
        case 'sentiment':
          f.appendChild(bind(select(countOps, n.op, 'How many'), n, 'op'));
          f.appendChild(bind(input(n.count, '1', 'Count', null, 'number'), n, 'count'));
          f.appendChild(bind(select([['negative', 'negative'], ['neutral', 'neutral'], ['positive', 'positive']], n.sentiment, 'Sentiment'), n, 'sentiment'));
          f.appendChild(t('feedback items in the last'));
          f.appendChild(bind(input(n.days, 'ever', 'Days (empty: ever)', null, 'number'), n, 'days'));
          f.appendChild(t('days'));
          break;
        case 'journey':
          f.appendChild(bind(select([['in', 'is in'], ['entered', 'entered'], ['exited', 'left'], ['converted', 'converted in']], n.state, 'State'), n, 'state', true));
          f.appendChild(bind(input(n.journey, 'jrn_…', 'Journey id', hints.journeys), n, 'journey'));
          if (n.state !== 'in') {
            f.appendChild(t('in the last'));
            f.appendChild(bind(input(n.days, 'ever', 'Days (empty: ever)', null, 'number'), n, 'days'));
            f.appendChild(t('days'));
          }
          break;
        case 'consent':
          f.appendChild(bind(select([['subscribed', 'subscribed to'], ['unsubscribed', 'unsubscribed from'], ['unknown', 'never answered for']], n.status, 'Status'), n, 'status'));
          f.appendChild(bind(select([['email', 'email'], ['sms', 'SMS'], ['in_app', 'in-app messages']], n.channel, 'Channel'), n, 'channel'));
          break;
        case 'segment':
          var segs = setup.segments || [];
          f.appendChild(bind(select([['', 'Pick a segment…']].concat(segs.map(function (s) { return [s.id, s.name]; })), n.id, 'Segment'), n, 'id'));
          break;
      }
      row.appendChild(f);
      var tools = el('div', { className: 'seg-tools' }, [notToggle(n), removeButton(parent, n)]);
      row.appendChild(tools);
      return row;
    }

    root.querySelector('[data-apply-json]').addEventListener('click', function () {
      var errBox = root.querySelector('[data-json-error]');
      errBox.hidden = true;
      try {
        var d = JSON.parse(jsonBox.value);
        tree = rootFromDef(d);
        changed(true);
      } catch (e) {
        errBox.textContent = 'That is not a definition this builder reads: ' + e.message;
        errBox.hidden = false;
      }
    });
    root.querySelector('[data-copy-json]').addEventListener('click', function () {
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(jsonBox.value);
      else { jsonBox.select(); try { document.execCommand('copy'); } catch (e) { /* nothing more to try */ } }
    });
    root.querySelector('[data-save]').addEventListener('click', function () {
      var btn = this, errBox = root.querySelector('[data-save-error]');
      errBox.hidden = true;
      if (!tree.items.length) { errBox.textContent = 'Add at least one condition.'; errBox.hidden = false; return; }
      var body = { name: nameIn.value, description: descIn.value, persona: personaIn.checked, condition: rootDef(tree) };
      btn.disabled = true;
      api(seg ? 'PUT' : 'POST', seg ? '/api/v1/segments/' + encodeURIComponent(seg.id) : '/api/v1/segments', body).then(function (s) {
        location.href = '/segments/' + encodeURIComponent(s.id);
      }, function (e) {
        btn.disabled = false;
        errBox.textContent = e.message;
        errBox.hidden = false;
      });
    });
    changed(true);
  }

  // ---- a segment's size over time ---------------------------------------------

  function sizeChart(node) {
    var data = JSON.parse(document.getElementById('segment-chart').textContent);
    if (!window.echarts) { setTimeout(function () { sizeChart(node); }, 50); return; }
    var sk = node.querySelector('.skeleton');
    if (sk) sk.remove();
    var pts = data.sizes || [];
    var c = window.echarts.init(node, null, { renderer: 'canvas' });
    c.on('finished', function () { node.dataset.drawn = 'true'; });
    var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    c.setOption({
      animation: !reduced, color: ['#4f46e5', '#17b26a', '#f04438'],
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
      legend: { top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: pts.map(function (p) { return p.day; }), axisLabel: { color: '#667085', hideOverlap: true } },
      yAxis: [{ type: 'value', axisLabel: { color: '#667085' }, splitLine: { lineStyle: { color: '#eef0f4' } } }, { type: 'value', show: false }],
      series: [
        { name: 'Customers', type: 'line', step: 'end', showSymbol: pts.length < 3, areaStyle: { opacity: .12 }, data: pts.map(function (p) { return p.size; }) },
        { name: 'Entered', type: 'bar', yAxisIndex: 1, barMaxWidth: 8, data: pts.map(function (p) { return p.entered; }) },
        { name: 'Left', type: 'bar', yAxisIndex: 1, barMaxWidth: 8, data: pts.map(function (p) { return -p.exited; }) }
      ]
    });
    window.addEventListener('resize', function () { c.resize(); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-segment-builder]').forEach(builder);
    document.querySelectorAll('[data-segment-chart]').forEach(sizeChart);
    // Persona feature bars: widths set here, as the page allows no inline style.
    document.querySelectorAll('.pf-bar [data-width]').forEach(function (b) { b.style.width = b.dataset.width + '%'; });
  });
})();
