// Touchpoint journey canvas. One script draws a journey as SVG in two
// modes, read from the page's #journey-data JSON block:
//
//   edit   the builder: steps are added from the palette, moved by dragging,
//          connected by dragging from a step's named output (the dots on its
//          right) to another step, and configured in the side panel. The
//          toolbar validates, saves the draft, dry-runs it against a profile
//          (the path is highlighted), publishes and stops, all through the
//          admin API with the session, which checks permissions again.
//   stats  read-only, with each step's counts as badges and lines as thick
//          as the number of customers who passed.
//
// On narrow screens the builder shows the journey read-only. The document
// the builder edits is the API's journey document itself (entry, nodes,
// goal, exits, with canvas positions), so what is saved is what a YAML file
// in git would hold. Text from the document only ever reaches the page
// through textContent and attribute values.
(function () {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var NODE_W = 220, HEAD = 26, BODY = 48, PORT_H = 22, GRID = 10, COL = 280;
  var TYPES = {
    entry: 'Entry', wait: 'Wait', branch: 'Branch', split: 'Split', email: 'Email', sms: 'SMS', webhook: 'Webhook',
    in_app: 'In-app', survey: 'Survey', update_trait: 'Update trait', list: 'List', exit: 'Exit', goal: 'Goal',
  };
  function label(type) { return TYPES[type] || type; }
  var ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
  var GOAL = ':goal'; // the goal's key on the canvas: no node id holds a colon

  // ---- DOM helpers ---------------------------------------------------------

  function make(doc, tag, attrs, kids) {
    var e = doc ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
    var value;
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'value') value = v;
      else if (k === 'checked') e.checked = true;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    if (value !== undefined) e.value = value; // after a select's options exist
    return e;
  }
  function h(tag, attrs, kids) { return make(false, tag, attrs, kids); }
  function s(tag, attrs, kids) { return make(true, tag, attrs, kids); }

  function clip(str, n) { str = String(str || ''); return str.length > n ? str.slice(0, n - 1) + '…' : str; }
  function num(n) { return Number(n || 0).toLocaleString(); }
  function q(str) { return '“' + str + '”'; }

  // clean drops what the API does not want to see: empty strings, false,
  // empty lists and objects, and keys the builder keeps for itself (_x).
  function clean(v) {
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      var out = {};
      Object.keys(v).forEach(function (k) {
        if (k.charAt(0) === '_') return;
        var c = clean(v[k]);
        if (c === '' || c === null || c === undefined || c === false) return;
        if (Array.isArray(c) && !c.length && k !== 'nodes') return;
        if (c && typeof c === 'object' && !Array.isArray(c) && !Object.keys(c).length) return;
        out[k] = c;
      });
      return out;
    }
    return v;
  }

  function slug(name) {
    return String(name || '').toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  }

  // ---- The document ---------------------------------------------------------

  // defaults are what a new step of each type starts with.
  function defaults(type, data) {
    switch (type) {
      case 'wait': return { duration: '1d' };
      case 'branch': return { branches: [{ name: 'yes', when: '' }] };
      case 'split': return { arms: [{ name: 'a', weight: 45 }, { name: 'b', weight: 45 }, { name: 'holdout', weight: 10, holdout: true }] };
      case 'email': return { message: { subject: '', html: '' } };
      case 'sms': return { message: { text: '' } };
      case 'in_app': return { message: { title: '', text: '' } };
      case 'webhook': return { url: '' };
      case 'survey': return { survey_id: (data.surveys[0] || {}).id || '', channel: 'email', timeout: '7d',
        message: { subject: 'A quick question', text: 'Tell us how we did: {{.survey_url}}' } };
      case 'update_trait': return { traits: { last_journey: 'journey.id' } };
      case 'list': return { list: '', op: 'add' };
    }
    return {};
  }

  function normalise(doc) {
    doc = JSON.parse(JSON.stringify(doc || {}));
    doc.entry = doc.entry || { type: 'event' };
    doc.nodes = doc.nodes || [];
    doc.exits = doc.exits || [];
    doc.nodes.forEach(function (n) {
      if (n.type === 'branch') n.branches = n.branches || [];
      if (n.type === 'split') n.arms = n.arms || [];
      if (['email', 'sms', 'in_app', 'survey'].indexOf(n.type) >= 0) n.message = n.message || {};
      if (n.type === 'update_trait') n.traits = n.traits || {};
    });
    return doc;
  }

  // ---- The canvas -------------------------------------------------------------

  function journey(root, data) {
    var svg = root.querySelector('[data-canvas]');
    var wrap = root.querySelector('.canvas-wrap');
    var panel = root.querySelector('[data-panel]');
    var narrow = window.matchMedia('(max-width: 820px)');
    var T = window.Touchpoint;
    var doc = normalise(data.doc);
    var st = {
      isNew: !!data.new, status: data.status || 'draft', active: data.active_version || 0,
      sel: null,        // {kind: 'node', key} | {kind: 'edge', from, port} | {kind: 'dryrun'} | null
      error: null,      // {key, rel, message} from the API's field
      path: null,       // {nodes: {}, edges: {}} of a dry run
      dry: null,        // the last dry run
      dirty: false, drag: null, idEdited: !data.new, lastText: null, zoom: 1,
      profile: '', happens: '', dryEvent: '',
    };
    function editable() { return data.mode === 'edit' && !narrow.matches; }

    // Canvas nodes: the entry, the steps, the goal.
    function cnodes() {
      var out = [{ key: 'entry', type: 'entry', obj: doc.entry }];
      doc.nodes.forEach(function (n) { out.push({ key: n.id, type: n.type, obj: n }); });
      if (doc.goal) out.push({ key: GOAL, type: 'goal', obj: doc.goal });
      return out;
    }
    function find(key) {
      var list = cnodes();
      for (var i = 0; i < list.length; i++) if (list[i].key === key) return list[i];
      return null;
    }

    // ports lists a node's named outputs: what each is called in the API
    // (and in statistics), its label, and where it leads.
    function ports(cn) {
      var o = cn.obj, out = [];
      var port = function (name, label, holder, key, fixed) {
        out.push({ name: name, label: label, fixed: !!fixed,
          get: function () { return fixed ? '' : holder[key] || ''; },
          set: function (to) { if (fixed) return; if (to) holder[key] = to; else delete holder[key]; } });
      };
      switch (cn.type) {
        case 'goal': case 'exit': break;
        case 'wait':
          if ('event' in o) { port('next', 'event happened', o, 'next'); port('timeout', 'timed out', o, 'timeout_next'); }
          else port('next', 'next', o, 'next');
          break;
        case 'survey': port('next', 'answered', o, 'next'); port('timeout', 'no answer', o, 'timeout_next'); break;
        case 'branch':
          o.branches.forEach(function (b) { port(b.name, b.name, b, 'next'); });
          port('else', 'else', o, 'else');
          break;
        case 'split':
          var total = o.arms.reduce(function (t, a) { return t + (a.weight || 0); }, 0) || 1;
          o.arms.forEach(function (a) {
            var note = a.holdout && a.name.indexOf('holdout') < 0 ? ', holdout' : '';
            port(a.name, a.name + ' ' + Math.round(100 * (a.weight || 0) / total) + '%' + note, a, 'next', a.holdout);
          });
          break;
        default: port('next', 'next', o, 'next');
      }
      return out;
    }

    function summary(cn) {
      var o = cn.obj, m = o.message || {};
      switch (cn.type) {
        case 'entry':
          switch (o.type) {
            case 'event': return o.event ? 'on ' + q(o.event) + (o.conditions ? ' if …' : '') : 'pick the event';
            case 'segment_entered': return 'enters segment ' + (o.segment_id || '?');
            case 'segment_exited': return 'leaves segment ' + (o.segment_id || '?');
            case 'feedback': return (o.survey_type || 'feedback').toUpperCase() + (o.score_max !== undefined ? ' ≤ ' + o.score_max : '') + (o.score_min !== undefined ? ' ≥ ' + o.score_min : '');
            case 'date': return (o.trait || 'date trait') + ' ' + (o.offset || '');
            case 'api': return 'by API call';
          }
          return o.type || '';
        case 'wait':
          if ('event' in o) return 'for ' + q(o.event || '?') + ', up to ' + (o.timeout || '?');
          if (o.time_of_day) return 'until ' + o.time_of_day + ' local time';
          return o.duration || 'set a duration';
        case 'branch': return o.branches.length + ' branch' + (o.branches.length === 1 ? '' : 'es') + ' + else';
        case 'split': return o.arms.map(function (a) { return a.weight || 0; }).join(' / ');
        case 'email': return m.subject || 'no subject yet';
        case 'sms': case 'in_app': return m.title || m.text || 'no text yet';
        case 'webhook': try { return new URL(o.url).host; } catch (e) { return o.url || 'no URL yet'; }
        case 'survey': {
          var sv = data.surveys.filter(function (x) { return x.id === o.survey_id; })[0];
          return (sv ? sv.name : o.survey_id || 'pick a survey') + ' by ' + (o.channel || '?');
        }
        case 'update_trait': return Object.keys(o.traits || {}).join(', ') || 'no trait yet';
        case 'list': return (o.op === 'remove' ? 'remove from ' : 'add to ') + (o.list || '?');
        case 'exit': return 'ends the journey';
        case 'goal': return o.event ? q(o.event) + ' within ' + (o.within || '30d') : 'pick the event';
      }
      return '';
    }

    function title(cn) {
      if (cn.type === 'entry') return 'Entry';
      if (cn.type === 'goal') return 'Goal';
      return cn.obj.name || cn.obj.id;
    }

    // Positions: those the document has, and a layered layout for the rest.
    function layout() {
      var list = cnodes(), depth = {}, seen = {}, queue = ['entry'];
      depth.entry = 0;
      while (queue.length) {
        var k = queue.shift(), cn = find(k);
        if (!cn || seen[k]) continue;
        seen[k] = true;
        ports(cn).forEach(function (p) {
          var to = p.get();
          if (to && depth[to] === undefined) { depth[to] = depth[k] + 1; queue.push(to); }
        });
      }
      var rows = {}, maxX = 0;
      list.forEach(function (cn) {
        if (cn.obj.position || cn.type === 'goal') return;
        var d = depth[cn.key] !== undefined ? depth[cn.key] : 1;
        rows[d] = (rows[d] || 0) + 1;
        cn.obj.position = { x: 40 + d * COL, y: 40 + (rows[d] - 1) * 170 };
      });
      // The goal stands apart, right of everything: nothing leads to it.
      list.forEach(function (cn) { maxX = Math.max(maxX, cn.obj.position ? cn.obj.position.x : 0); });
      if (doc.goal && !doc.goal.position) doc.goal.position = { x: maxX + COL, y: 40 };
    }

    // badges are a node's counts in the statistics view.
    function badges(cn) {
      if (!data.stats) return [];
      var ns = (data.stats.nodes || {})[cn.type === 'entry' ? 'entry' : cn.key];
      if (cn.type === 'goal') {
        var gw = (data.stats.nodes || {})[data.goal_node];
        return (gw && gw.waiting ? [{ t: num(gw.waiting) + ' waiting for it', c: 'b-wait' }] : []).concat([{ t: num(data.stats.converted) + ' converted', c: 'b-good' }]);
      }
      if (!ns) return [];
      var out = [{ t: num(ns.entered) + ' entered', c: '' }];
      if (ns.waiting) out.push({ t: num(ns.waiting) + ' waiting', c: 'b-wait' });
      if (ns.sent) out.push({ t: num(ns.sent) + ' sent', c: '' });
      if (ns.delivered) out.push({ t: num(ns.delivered) + ' delivered', c: 'b-good' });
      if (ns.failed) out.push({ t: num(ns.failed) + ' failed', c: 'b-bad' });
      if (ns.skipped) out.push({ t: num(ns.skipped) + ' skipped', c: 'b-wait' });
      if (ns.converted) out.push({ t: num(ns.converted) + ' converted', c: 'b-good' });
      return out;
    }
    function passed(key, port) {
      var ns = data.stats && (data.stats.nodes || {})[key];
      return ns && ns.passed ? ns.passed[port] || 0 : 0;
    }

    // geometry says where a node, its ports and its badges are drawn.
    function geometry(cn) {
      var ps = ports(cn), bs = badges(cn);
      var rowsY = [], x = 10, y = 0;
      bs.forEach(function (b) {
        b.w = Math.round(b.t.length * 6.1 + 14);
        if (x + b.w > NODE_W - 10 && x > 10) { x = 10; y += 22; }
        b.x = x; b.y = y; x += b.w + 5;
      });
      var top = HEAD + BODY, badgeH = bs.length ? y + 26 : 0;
      ps.forEach(function (p, i) { p.y = top + badgeH + i * PORT_H + PORT_H / 2; rowsY.push(p.y); });
      return { x: cn.obj.position.x, y: cn.obj.position.y, ports: ps, badges: bs, badgeTop: top + 2,
        h: top + badgeH + ps.length * PORT_H + (ps.length ? 6 : 4) };
    }

    function curve(x1, y1, x2, y2) {
      var dx = Math.max(40, Math.abs(x2 - x1) / 2);
      return 'M' + x1 + ' ' + y1 + ' C' + (x1 + dx) + ' ' + y1 + ' ' + (x2 - dx) + ' ' + y2 + ' ' + x2 + ' ' + y2;
    }

    var geo = {};

    function render() {
      layout();
      var list = cnodes();
      geo = {};
      list.forEach(function (cn) { geo[cn.key] = geometry(cn); });
      svg.textContent = '';
      svg.appendChild(s('defs', {}, [
        s('marker', { id: 'jarrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '9', markerHeight: '9', markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
          [s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'arrow' })]),
        s('marker', { id: 'jarrow-on', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '10', markerHeight: '10', markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
          [s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'arrow-on' })]),
      ]));
      var edges = s('g', { class: 'edges' }), labels = s('g', { class: 'edge-labels' }), nodes = s('g', { class: 'nodes' });
      svg.append(edges, nodes, labels);

      // Edges, as thick as their volume in the statistics view.
      var all = [], max = 0;
      list.forEach(function (cn) {
        geo[cn.key].ports.forEach(function (p) {
          var to = p.get();
          if (!to || !geo[to]) return;
          var n = passed(cn.key, p.name);
          max = Math.max(max, n);
          all.push({ from: cn.key, port: p.name, to: to, n: n, p: p });
        });
      });
      all.forEach(function (e) {
        var a = geo[e.from], b = geo[e.to];
        var x1 = a.x + NODE_W, y1 = a.y + e.p.y, x2 = b.x - 2, y2 = b.y + HEAD / 2 + 6;
        var d = curve(x1, y1, x2, y2), k = e.from + '|' + e.port;
        var on = st.path && st.path.edges[k];
        var selected = st.sel && st.sel.kind === 'edge' && st.sel.from === e.from && st.sel.port === e.port;
        // Widths are attributes, not styles: the stylesheet leaves them alone.
        var width = data.stats ? (1.5 + (max ? 8 * e.n / max : 0)).toFixed(1) : on ? '3.5' : '2';
        edges.appendChild(s('path', { d: d, class: 'edge' + (on ? ' on-path' : '') + (selected ? ' selected' : ''),
          'stroke-width': width, 'marker-end': on ? 'url(#jarrow-on)' : 'url(#jarrow)', 'data-edge': k, 'data-to': e.to }));
        if (editable()) edges.appendChild(s('path', { d: d, class: 'edge-hit', 'data-from': e.from, 'data-port': e.port }));
        if (data.stats) {
          var mx = (x1 + 3 * (x1 + 60) + 3 * (x2 - 60) + x2) / 8, my = (y1 + y2) / 2;
          labels.appendChild(s('text', { x: mx, y: my - 4, class: 'edge-count', 'text-anchor': 'middle', text: num(e.n) }));
        }
      });

      list.forEach(function (cn) {
        var g = geo[cn.key];
        var cls = 'jnode t-' + cn.type;
        if (st.sel && st.sel.kind === 'node' && st.sel.key === cn.key) cls += ' selected';
        if (st.error && st.error.key === cn.key) cls += ' invalid';
        if (st.path && st.path.nodes[cn.key]) cls += ' on-path';
        var kids = [
          s('rect', { class: 'jn-body', width: NODE_W, height: g.h, rx: 10 }),
          s('path', { class: 'jn-head', d: 'M0 10 a10 10 0 0 1 10 -10 h' + (NODE_W - 20) + ' a10 10 0 0 1 10 10 v' + (HEAD - 10) + ' h-' + NODE_W + ' z' }),
          s('text', { class: 'jn-type', x: 12, y: 17, text: label(cn.type).toUpperCase() + (cn.type !== 'entry' && cn.type !== 'goal' && cn.obj.name ? ' · ' + clip(cn.obj.id, 18) : '') }),
          s('text', { class: 'jn-title', x: 12, y: HEAD + 20, text: clip(title(cn), 27) }),
          s('text', { class: 'jn-sub', x: 12, y: HEAD + 38, text: clip(summary(cn), 33) }),
        ];
        if (st.path && st.path.nodes[cn.key]) kids.push(s('circle', { class: 'path-mark', cx: NODE_W - 14, cy: 13, r: 5 }));
        g.badges.forEach(function (b) {
          kids.push(s('g', { class: 'jbadge ' + b.c, transform: 'translate(' + b.x + ',' + (g.badgeTop + b.y) + ')' }, [
            s('rect', { width: b.w, height: 18, rx: 9 }), s('text', { x: b.w / 2, y: 13, 'text-anchor': 'middle', text: b.t })]));
        });
        if (cn.type !== 'entry' && cn.type !== 'goal') kids.push(s('circle', { class: 'in-port', cx: 0, cy: HEAD / 2 + 6, r: 5 }));
        g.ports.forEach(function (p) {
          var n = data.stats ? passed(cn.key, p.name) : null;
          var label = clip(p.label, 24) + (n !== null ? ' · ' + num(n) : '');
          kids.push(s('g', { class: 'port' + (p.get() ? ' linked' : '') + (p.fixed ? ' fixed' : ''), 'data-port': p.name }, [
            s('line', { x1: 10, x2: NODE_W - 10, y1: p.y - PORT_H / 2, y2: p.y - PORT_H / 2, class: 'port-rule' }),
            s('text', { x: NODE_W - 14, y: p.y + 4, 'text-anchor': 'end', text: label }),
            p.fixed ? null : s('circle', { cx: NODE_W, cy: p.y, r: 6 }),
            p.fixed || !editable() ? null : s('circle', { class: 'port-hit', cx: NODE_W, cy: p.y, r: 12 }),
          ]));
        });
        nodes.appendChild(s('g', { class: cls, 'data-node': cn.key, transform: 'translate(' + g.x + ',' + g.y + ')', tabindex: '0',
          role: 'button', 'aria-label': label(cn.type) + ' ' + title(cn) + ': ' + summary(cn) }, kids));
      });
      size();
    }

    // extent is the size of what is drawn, in canvas units.
    function extent() {
      var w = 0, hgt = 0;
      Object.keys(geo).forEach(function (k) { w = Math.max(w, geo[k].x + NODE_W); hgt = Math.max(hgt, geo[k].y + geo[k].h); });
      return { w: w, h: hgt };
    }

    // size fits the drawing to the canvas at the zoom: room to grow while
    // building, just the journey when reading it.
    function size() {
      var ex = extent(), z = st.zoom;
      var width = Math.max((wrap.clientWidth - 2) / z, ex.w + (editable() ? 300 : 40));
      var height = data.mode === 'stats' || !editable() ? ex.h + 40 : Math.max((wrap.clientHeight - 2) / z, ex.h + 240);
      svg.setAttribute('width', Math.round(width * z));
      svg.setAttribute('height', Math.round(height * z));
      svg.setAttribute('viewBox', '0 0 ' + Math.round(width) + ' ' + Math.round(height));
      if (zoomLabel) zoomLabel.textContent = Math.round(z * 100) + '%';
    }

    // Zoom: buttons in the canvas's corner; reading a journey starts with
    // the whole of it in view, as far as it stays legible.
    var zoomLabel = null;
    function setZoom(z) {
      st.zoom = Math.min(1.5, Math.max(0.4, z));
      size();
    }
    function fit(min) {
      var ex = extent();
      var zx = (wrap.clientWidth - 24) / (ex.w + 40), zy = data.mode === 'stats' || !editable() ? 1 : (wrap.clientHeight - 24) / (ex.h + 40);
      setZoom(Math.max(min, Math.min(1, zx, zy)));
    }
    (function zoomBar() {
      var box = h('div', { class: 'canvas-box' });
      wrap.parentNode.insertBefore(box, wrap);
      box.appendChild(wrap);
      zoomLabel = h('span', { class: 'zoom-level', 'aria-live': 'polite' });
      box.appendChild(h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' }, [
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Zoom out', text: '−', onclick: function () { setZoom(st.zoom / 1.25); } }),
        zoomLabel,
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Zoom in', text: '+', onclick: function () { setZoom(st.zoom * 1.25); } }),
        h('button', { type: 'button', class: 'btn btn-small', text: 'Fit', title: 'Show the whole journey', onclick: function () { fit(0.4); } }),
      ]));
    })();

    var renderTimer;
    function renderSoon() { clearTimeout(renderTimer); renderTimer = setTimeout(render, 60); }

    // ---- Pointer: select, move, connect ----------------------------------------

    function point(e) {
      var r = svg.getBoundingClientRect();
      return { x: (e.clientX - r.left) / st.zoom, y: (e.clientY - r.top) / st.zoom };
    }
    function nodeAt(e) {
      var el = document.elementFromPoint(e.clientX, e.clientY);
      el = el && el.closest && el.closest('.jnode');
      return el ? el.getAttribute('data-node') : null;
    }

    svg.addEventListener('pointerdown', function (e) {
      if (e.button !== 0) return;
      var portEl = e.target.closest('.port'), nodeEl = e.target.closest('.jnode'), hit = e.target.closest('.edge-hit');
      var key = nodeEl && nodeEl.getAttribute('data-node');
      if (editable() && portEl && !portEl.classList.contains('fixed') && e.target.tagName === 'circle') {
        e.preventDefault();
        var g = geo[key], p = g.ports.filter(function (x) { return x.name === portEl.getAttribute('data-port'); })[0];
        st.drag = { kind: 'connect', from: key, port: p.name, x: g.x + NODE_W, y: g.y + p.y, moved: false, id: e.pointerId };
        st.drag.line = s('path', { class: 'drag-edge', d: curve(st.drag.x, st.drag.y, st.drag.x, st.drag.y) });
        svg.appendChild(st.drag.line);
        svg.setPointerCapture(e.pointerId);
        return;
      }
      if (nodeEl) {
        select({ kind: 'node', key: key });
        if (editable()) {
          e.preventDefault();
          var pos = find(key).obj.position, pt = point(e);
          st.drag = { kind: 'move', key: key, sx: pt.x, sy: pt.y, ox: pos.x, oy: pos.y, moved: false, id: e.pointerId };
          svg.setPointerCapture(e.pointerId);
        }
        return;
      }
      if (hit) { select({ kind: 'edge', from: hit.getAttribute('data-from'), port: hit.getAttribute('data-port') }); return; }
      select(null);
    });

    svg.addEventListener('pointermove', function (e) {
      var d = st.drag;
      if (!d || e.pointerId !== d.id) return;
      var pt = point(e);
      if (d.kind === 'connect') {
        d.moved = true;
        d.line.setAttribute('d', curve(d.x, d.y, pt.x, pt.y));
        var over = nodeAt(e);
        svg.querySelectorAll('.drop-target').forEach(function (x) { x.classList.remove('drop-target'); });
        if (over && over !== d.from && over !== 'entry' && over !== GOAL) {
          svg.querySelector('.jnode[data-node="' + cssEscape(over) + '"]').classList.add('drop-target');
        }
        return;
      }
      var dx = pt.x - d.sx, dy = pt.y - d.sy;
      if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      d.moved = true;
      var pos = find(d.key).obj.position;
      pos.x = Math.max(0, Math.round((d.ox + dx) / GRID) * GRID);
      pos.y = Math.max(0, Math.round((d.oy + dy) / GRID) * GRID);
      render();
    });

    function endDrag(e) {
      var d = st.drag;
      if (!d || e.pointerId !== d.id) return;
      st.drag = null;
      if (svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
      if (d.kind === 'connect') {
        var to = e.type === 'pointerup' ? nodeAt(e) : null;
        var p = ports(find(d.from)).filter(function (x) { return x.name === d.port; })[0];
        if (to && to !== d.from && to !== 'entry' && to !== GOAL) {
          p.set(to);
          changed();
        } else if (d.moved && !to && p.get()) {
          p.set(''); // dropped on the empty canvas: the output leads nowhere now
          changed();
        } else if (!d.moved) {
          select({ kind: 'node', key: d.from });
        }
        render();
        if (st.sel && st.sel.kind === 'node' && st.sel.key === d.from) renderPanel();
        return;
      }
      if (d.moved) changed();
    }
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);

    svg.addEventListener('keydown', function (e) {
      var n = e.target.closest && e.target.closest('.jnode');
      if (n && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); select({ kind: 'node', key: n.getAttribute('data-node') }); }
    });

    document.addEventListener('keydown', function (e) {
      if (!editable() || !st.sel) return;
      var tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || e.target.isContentEditable) return;
      if (e.key === 'Escape') { select(null); return; }
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      e.preventDefault();
      if (st.sel.kind === 'edge') removeEdge(st.sel.from, st.sel.port);
      else if (st.sel.kind === 'node' && st.sel.key !== 'entry') removeNode(st.sel.key);
    });

    function cssEscape(v) { return window.CSS && CSS.escape ? CSS.escape(v) : v.replace(/"/g, '\\"'); }

    // ---- Changes -----------------------------------------------------------------

    function select(sel) {
      st.sel = sel;
      render();
      renderPanel();
    }

    function changed() {
      st.dirty = true;
      st.path = null; // a dry run describes the journey as it was
      head();
    }

    function removeEdge(from, port) {
      var cn = find(from);
      ports(cn).forEach(function (p) { if (p.name === port) p.set(''); });
      changed();
      select(null);
    }

    function removeNode(key) {
      if (key === GOAL) { delete doc.goal; }
      else {
        doc.nodes = doc.nodes.filter(function (n) { return n.id !== key; });
        cnodes().forEach(function (cn) { ports(cn).forEach(function (p) { if (p.get() === key) p.set(''); }); });
      }
      if (st.error && st.error.key === key) st.error = null;
      changed();
      select(null);
    }

    function renameNode(from, to) {
      cnodes().forEach(function (cn) { ports(cn).forEach(function (p) { if (p.get() === from) p.set(to); }); });
      find(from).obj.id = to;
      if (st.error && st.error.key === from) st.error.key = to;
      st.sel = { kind: 'node', key: to };
      changed();
      render();
    }

    // freeSpot finds a place for a new step: right of the selected one, or
    // in the part of the canvas in view, clear of the others.
    function freeSpot() {
      var x, y, sel = st.sel && st.sel.kind === 'node' && geo[st.sel.key];
      if (sel) { x = sel.x + COL; y = sel.y; } else { x = Math.round((wrap.scrollLeft / st.zoom + 60) / GRID) * GRID; y = Math.round((wrap.scrollTop / st.zoom + 40) / GRID) * GRID; }
      for (var i = 0; i < 60; i++) {
        var clash = Object.keys(geo).some(function (k) {
          var g = geo[k];
          return x < g.x + NODE_W + 30 && x + NODE_W + 30 > g.x && y < g.y + g.h + 20 && y + 120 > g.y;
        });
        if (!clash) break;
        y += 60;
      }
      return { x: x, y: y };
    }

    function addNode(type) {
      if (type === 'entry') { select({ kind: 'node', key: 'entry' }); reveal('entry'); return; }
      if (type === 'goal') {
        if (!doc.goal) { doc.goal = { event: '', within: '30d', position: freeSpot() }; changed(); }
        select({ kind: 'node', key: GOAL });
        reveal(GOAL);
        return;
      }
      var base = type.replace('_', '-'), i = 1;
      while (find(base + '-' + i)) i++;
      var n = defaults(type, data);
      n.id = base + '-' + i;
      n.type = type;
      n.position = freeSpot();
      // Key order as in the API's documents: id, type, position first.
      var ordered = { id: n.id, type: n.type, position: n.position };
      Object.keys(n).forEach(function (k) { ordered[k] = n[k]; });
      doc.nodes.push(ordered);
      changed();
      select({ kind: 'node', key: n.id });
      reveal(n.id);
    }

    function reveal(key) {
      var g = geo[key], z = st.zoom;
      if (!g) return;
      if (g.x * z < wrap.scrollLeft || (g.x + NODE_W) * z > wrap.scrollLeft + wrap.clientWidth) wrap.scrollLeft = Math.max(0, (g.x - 40) * z);
      if (g.y * z < wrap.scrollTop || (g.y + g.h) * z > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, (g.y - 40) * z);
    }

    // ---- The side panel -------------------------------------------------------------

    // control makes a form field bound to obj[key]. spec: label, obj, key,
    // field (the API's name for it, relative to the step), kind (text,
    // textarea, number, time, select, checkbox), options, help, placeholder,
    // then (called after a change), parse.
    function control(spec) {
      var obj = spec.obj, key = spec.key, kind = spec.kind || 'text', el;
      var cur = obj[key];
      var ro = !editable();
      var attrs = { 'data-field': spec.field || key, placeholder: spec.placeholder, disabled: ro, 'aria-describedby': null };
      if (kind === 'textarea') {
        el = h('textarea', Object.assign(attrs, { rows: spec.rows || 3, value: cur === undefined ? '' : String(cur), class: spec.mono === false ? 'prose' : null }));
      } else if (kind === 'select') {
        el = h('select', attrs, spec.options.map(function (o) { return h('option', { value: o[0], text: o[1] }); }));
        el.value = cur === undefined ? spec.options[0][0] : String(cur);
      } else if (kind === 'checkbox') {
        el = h('input', Object.assign(attrs, { type: 'checkbox', checked: !!cur }));
      } else {
        el = h('input', Object.assign(attrs, { type: kind === 'number' ? 'number' : kind === 'time' ? 'time' : 'text',
          value: cur === undefined ? '' : String(cur), step: spec.step, min: spec.min, max: spec.max, list: spec.list, class: spec.mono ? 'mono' : null }));
      }
      var update = function () {
        var v = kind === 'checkbox' ? el.checked : el.value;
        if (kind === 'number') v = v === '' ? '' : Number(v);
        if (spec.parse) v = spec.parse(v);
        if (v === '' || v === false || (typeof v === 'number' && isNaN(v))) delete obj[key]; else obj[key] = v;
        el.classList.remove('invalid');
        el.removeAttribute('aria-invalid');
        var err = el.parentNode && el.parentNode.querySelector('.field-error');
        if (err) err.remove();
        // Fields of the dry run and the preview are questions, not changes.
        if (!spec.ui) {
          changed();
          renderSoon();
        }
        if (spec.then) spec.then();
      };
      el.addEventListener(kind === 'select' || kind === 'checkbox' || spec.lazy ? 'change' : 'input', update);
      if (kind === 'text' || kind === 'textarea') el.addEventListener('focus', function () { st.lastText = el; });
      if (kind === 'checkbox') return h('label', { class: 'check' }, [el, ' ' + spec.label]);
      return h('label', {}, [spec.label, el, spec.help ? h('small', { class: 'muted', text: spec.help }) : null]);
    }

    function section(titleText, kids, cls) {
      return h('div', { class: 'panel-section' + (cls ? ' ' + cls : '') }, [titleText ? h('h4', { text: titleText }) : null].concat(kids));
    }
    function help(text) { return h('p', { class: 'fine', text: text }); }
    function btn(label, onclick, cls) { return h('button', { type: 'button', class: 'btn btn-small' + (cls ? ' ' + cls : ''), text: label, onclick: onclick }); }

    var EXPR_HELP = 'An expr-lang expression over profile (traits, computed), event (the trigger: name, properties, context), journey and now, e.g. profile.traits.plan == "pro" or (event.properties.value ?? 0) >= 50.';
    var TPL_VARS = ['{{.profile.traits.first_name}}', '{{.profile.computed.orders}}', '{{.event.properties.value}}', '{{.unsubscribe_url}}'];

    function renderPanel() {
      panel.textContent = '';
      var sel = st.sel, cn = sel && sel.kind === 'node' ? find(sel.key) : null;
      if (sel && sel.kind === 'dryrun') panel.appendChild(dryRunPanel());
      else if (sel && sel.kind === 'edge') panel.appendChild(edgePanel(sel));
      else if (cn) panel.appendChild(data.mode === 'stats' || !editable() ? statsPanel(cn) : nodePanel(cn));
      else panel.appendChild(data.mode === 'stats' || !editable() ? overviewPanel() : journeyPanel());
      showError();
    }

    function overviewPanel() {
      var kids = [h('h3', { text: doc.name || 'Journey' })];
      if (doc.description) kids.push(h('p', { class: 'muted', text: doc.description }));
      kids.push(help(data.stats ? 'Select a step to see its settings and counts. Each badge counts customers at that step; the number on a line counts those who passed along it.'
        : 'Select a step to see its settings.'));
      if (doc.exits.length) kids.push(section('Exits', doc.exits.map(function (x) { return h('p', { text: q(x.event) + (x.conditions ? ' if ' + x.conditions : '') }); })));
      return h('div', { class: 'panel-body' }, kids);
    }

    // The journey's own settings, shown when no step is selected.
    function journeyPanel() {
      var kids = [h('h3', { text: 'Journey' }),
        control({ label: 'Name', obj: doc, key: 'name', placeholder: 'Welcome series', then: function () {
          if (st.isNew && !st.idEdited) {
            doc.id = slug(doc.name);
            var idEl = panel.querySelector('[data-field="id"]');
            if (idEl) idEl.value = doc.id;
          }
          head();
        } })];
      if (st.isNew) kids.push(control({ label: 'Id', obj: doc, key: 'id', mono: true, placeholder: 'welcome-series',
        help: 'Lower-case letters, digits, - or _; it names the journey in the API and in files, and cannot change.', then: function () { st.idEdited = true; } }));
      else kids.push(h('p', { class: 'fine' }, ['Id ', h('code', { text: doc.id })]));
      kids.push(control({ label: 'Description', obj: doc, key: 'description', kind: 'textarea', rows: 2, mono: false }));
      var exits = doc.exits.map(function (x, i) {
        return h('fieldset', { class: 'jfieldset' }, [h('legend', { text: 'Exit ' + (i + 1) }),
          control({ label: 'Event', obj: x, key: 'event', field: 'exits[' + i + '].event', placeholder: 'Unsubscribed' }),
          control({ label: 'Only if', obj: x, key: 'conditions', field: 'exits[' + i + '].conditions', kind: 'textarea', rows: 2 }),
          btn('Remove exit', function () { doc.exits.splice(i, 1); changed(); renderPanel(); }, 'btn-danger')]);
      });
      kids.push(section('Exits', [help('Customers leave the journey when one of these events happens.')].concat(exits)
        .concat([btn('Add exit', function () { doc.exits.push({ event: '' }); changed(); renderPanel(); })])));
      kids.push(section('How to build', [
        help('Add steps from the palette. Drag a step to move it. Drag from an output — the dots on a step’s right — to another step to connect them; drop it on the empty canvas to disconnect. Select a step to configure it; Delete removes the selected step or connection.'),
        help('Save keeps the draft; customers only see a journey once it is published, and publishing makes a new version that never changes.')]));
      return h('div', { class: 'panel-body' }, kids);
    }

    function edgePanel(sel) {
      var p = ports(find(sel.from)).filter(function (x) { return x.name === sel.port; })[0];
      var to = p ? find(p.get()) : null;
      return h('div', { class: 'panel-body' }, [h('h3', { text: 'Connection' }),
        h('p', { text: title(find(sel.from)) + ' (' + sel.port + ') → ' + (to ? title(to) : '?') }),
        editable() ? btn('Remove connection', function () { removeEdge(sel.from, sel.port); }, 'btn-danger') : null]);
    }

    function nodePanel(cn) {
      var o = cn.obj, kids = [];
      var headKids = [h('span', { class: 'badge tbadge t-' + cn.type, text: label(cn.type) }), h('h3', { text: title(cn) })];
      kids.push(h('div', { class: 'panel-head' }, headKids));
      if (cn.type !== 'entry' && cn.type !== 'goal') {
        var idCtl = control({ label: 'Id', obj: { id: o.id }, key: 'id', mono: true, lazy: true,
          help: 'Names the step in statistics and in the document.' });
        var idInput = idCtl.querySelector('input');
        idInput.addEventListener('change', function () {
          var v = idInput.value.trim();
          if (v === o.id) return;
          if (!ID_RE.test(v) || v === 'entry' || find(v)) {
            fieldError(idInput, !ID_RE.test(v) ? 'letters, digits, - or _, up to 63' : 'another step already has this id');
            idInput.value = o.id;
            return;
          }
          renameNode(o.id, v);
          renderPanel();
        });
        kids.push(idCtl);
        kids.push(control({ label: 'Label', obj: o, key: 'name', placeholder: 'shown on the canvas' }));
      }
      kids = kids.concat(typeForm(cn));
      var ps = ports(cn).filter(function (p) { return !p.fixed; });
      if (ps.length && editable()) {
        var targets = cnodes().filter(function (x) { return x.key !== cn.key && x.key !== 'entry' && x.type !== 'goal'; });
        kids.push(section('Outputs', [help('Drag from an output dot on the canvas, or pick where it leads here.')].concat(ps.map(function (p) {
          var sel = h('select', { 'data-port-select': p.name, 'aria-label': 'Where ' + p.label + ' leads' },
            [h('option', { value: '', text: '— nowhere: the journey ends —' })].concat(targets.map(function (t) { return h('option', { value: t.key, text: title(t) + ' (' + label(t.type) + ')' }); })));
          sel.value = p.get();
          sel.addEventListener('change', function () { p.set(sel.value); changed(); render(); });
          return h('label', { class: 'port-pick' }, [h('span', { class: 'mono', text: p.label }), sel]);
        }))));
      }
      if (editable() && cn.type !== 'entry') kids.push(h('div', { class: 'panel-actions' }, [btn(cn.type === 'goal' ? 'Remove goal' : 'Delete step', function () { removeNode(cn.key); }, 'btn-danger')]));
      return h('div', { class: 'panel-body' }, kids);
    }

    function typeForm(cn) {
      var o = cn.obj;
      switch (cn.type) {
        case 'entry': return entryForm(o);
        case 'wait': return waitForm(o);
        case 'branch': return branchForm(o);
        case 'split': return splitForm(o);
        case 'email': return messageForm(o, 'email').concat(previewSection(o));
        case 'sms': return messageForm(o, 'sms').concat(previewSection(o));
        case 'in_app': return messageForm(o, 'in_app').concat(previewSection(o));
        case 'webhook': return [
          control({ label: 'URL', obj: o, key: 'url', mono: true, placeholder: 'https://crm.example.com/hooks/touchpoint',
            help: 'POSTed as JSON, signed (Touchpoint-Signature) with an Idempotency-Key. Loopback and private addresses need an allowed host in Messaging rules.' }),
          control({ label: 'Body template', obj: o, key: 'body', kind: 'textarea', rows: 4, help: 'Empty: a JSON document with the journey, the profile and the trigger event.' }),
        ].concat(previewSection(o));
        case 'survey': return surveyForm(o).concat(previewSection(o));
        case 'update_trait': return traitsForm(o);
        case 'list': return [
          control({ label: 'List', obj: o, key: 'list', mono: true, placeholder: 'vip' }),
          control({ label: 'Operation', obj: o, key: 'op', kind: 'select', options: [['add', 'Add the customer'], ['remove', 'Remove the customer']] })];
        case 'exit': return [help('Customers who reach this step leave the journey.')];
        case 'goal': return [
          control({ label: 'Conversion event', obj: o, key: 'event', placeholder: 'Order Completed' }),
          control({ label: 'Only if', obj: o, key: 'conditions', kind: 'textarea', rows: 2, help: EXPR_HELP }),
          control({ label: 'Counts within', obj: o, key: 'within', placeholder: '30d', help: 'After entry; a holdout customer is watched this long. e.g. 7d, 2w.' }),
          help('Reaching the goal ends the journey for that customer and counts as a conversion, per split arm too.')];
      }
      return [];
    }

    function entryForm(o) {
      var clear = function () {
        ['event', 'conditions', 'segment_id', 'survey_type', 'survey_id', 'score_min', 'score_max', 'trait', 'offset', 'annual', 'time_of_day'].forEach(function (k) { delete o[k]; });
      };
      var kids = [control({ label: 'Customers enter on', obj: o, key: 'type', kind: 'select', options: [
        ['event', 'An event'], ['segment_entered', 'Entering a segment'], ['segment_exited', 'Leaving a segment'],
        ['feedback', 'A feedback answer'], ['date', 'A date trait'], ['api', 'An API call']], then: function () { clear(); renderPanel(); } })];
      switch (o.type) {
        case 'event':
          kids.push(control({ label: 'Event', obj: o, key: 'event', placeholder: 'Signed Up' }));
          kids.push(control({ label: 'Only if', obj: o, key: 'conditions', kind: 'textarea', rows: 2, placeholder: 'event.properties.value >= 50', help: EXPR_HELP }));
          break;
        case 'segment_entered': case 'segment_exited':
          kids.push(control({ label: 'Segment id', obj: o, key: 'segment_id', mono: true }));
          break;
        case 'feedback':
          kids.push(control({ label: 'Survey type', obj: o, key: 'survey_type', kind: 'select', options: [['', 'Any'], ['nps', 'NPS'], ['csat', 'CSAT'], ['ces', 'CES'], ['product_satisfaction', 'Product satisfaction'], ['rating', 'Rating']] }));
          kids.push(control({ label: 'Survey', obj: o, key: 'survey_id', kind: 'select', options: [['', 'Any survey']].concat(data.surveys.map(function (x) { return [x.id, x.name]; })) }));
          kids.push(h('div', { class: 'form-grid' }, [control({ label: 'Score from', obj: o, key: 'score_min', kind: 'number' }), control({ label: 'to', obj: o, key: 'score_max', kind: 'number' })]));
          kids.push(control({ label: 'Only if', obj: o, key: 'conditions', kind: 'textarea', rows: 2, help: 'e.g. event.properties.sentiment == "negative"' }));
          break;
        case 'date':
          kids.push(control({ label: 'Date trait', obj: o, key: 'trait', mono: true, placeholder: 'birthday' }));
          kids.push(h('div', { class: 'form-grid' }, [control({ label: 'Offset', obj: o, key: 'offset', placeholder: '-30d' }), control({ label: 'At (local time)', obj: o, key: 'time_of_day', kind: 'time' })]));
          kids.push(control({ label: 'Every year (birthdays)', obj: o, key: 'annual', kind: 'checkbox' }));
          break;
        case 'api':
          kids.push(help('Customers enter when POST /api/v1/journeys/' + (doc.id || '{id}') + '/enrol names them.'));
          break;
      }
      kids.push(section('Re-entry', [
        control({ label: 'A customer may enter', obj: o, key: 'reentry', kind: 'select', options: [['never', 'once'], ['after_exit', 'again after their previous run ended'], ['always', 'again on every trigger']] }),
        h('div', { class: 'form-grid' }, [control({ label: 'At least … between entries', obj: o, key: 'reentry_after', placeholder: '30d' }),
          control({ label: 'At most … entries', obj: o, key: 'max_entries', kind: 'number', min: 0, placeholder: 'no cap' })])]));
      return kids;
    }

    function waitForm(o) {
      var mode = 'event' in o ? 'event' : o.time_of_day !== undefined ? 'time' : 'duration';
      var holder = { mode: mode };
      var kids = [control({ label: 'Wait', obj: holder, key: 'mode', field: 'mode', kind: 'select', options: [['duration', 'for a duration'], ['time', 'until a time of day'], ['event', 'until an event, or a timeout']],
        then: function () {
          ['duration', 'time_of_day', 'event', 'conditions', 'timeout', 'timeout_next'].forEach(function (k) { delete o[k]; });
          if (holder.mode === 'duration') o.duration = '1d';
          if (holder.mode === 'time') o.time_of_day = '09:00';
          if (holder.mode === 'event') { o.event = ''; o.timeout = '3d'; }
          render();
          renderPanel();
        } })];
      if (mode === 'duration') kids.push(control({ label: 'Duration', obj: o, key: 'duration', placeholder: '2d', help: 'e.g. 30m, 36h, 2d, 1w.' }));
      if (mode === 'time') kids.push(control({ label: 'Until (customer’s local time)', obj: o, key: 'time_of_day', kind: 'time', help: 'In the customer’s timezone (trait timezone, else their last event’s, else the workspace’s).' }));
      if (mode === 'event') {
        kids.push(control({ label: 'Event', obj: o, key: 'event', placeholder: 'Order Completed', then: function () { if (!('event' in o)) o.event = ''; } }));
        kids.push(control({ label: 'Only if', obj: o, key: 'conditions', kind: 'textarea', rows: 2, help: EXPR_HELP }));
        kids.push(control({ label: 'Timeout', obj: o, key: 'timeout', placeholder: '3d', help: 'After this long without the event the customer takes the “timed out” output.' }));
      }
      return kids;
    }

    function branchForm(o) {
      var kids = [help('Branches are tested in order: the first whose expression holds is taken, else the else output.')];
      o.branches.forEach(function (b, i) {
        var f = 'branches[' + i + ']';
        kids.push(h('fieldset', { class: 'jfieldset' }, [h('legend', { text: 'Branch ' + (i + 1) }),
          control({ label: 'Name', obj: b, key: 'name', field: f + '.name', mono: true, lazy: true, then: render }),
          control({ label: 'When', obj: b, key: 'when', field: f + '.when', kind: 'textarea', rows: 2, placeholder: 'profile.traits.plan == "pro"' }),
          editable() ? btn('Remove branch', function () { o.branches.splice(i, 1); changed(); render(); renderPanel(); }, 'btn-danger') : null]));
      });
      if (editable()) kids.push(btn('Add branch', function () {
        var n = o.branches.length + 1;
        while (o.branches.some(function (b) { return b.name === 'branch-' + n; })) n++;
        o.branches.push({ name: 'branch-' + n, when: '' });
        changed(); render(); renderPanel();
      }));
      kids.push(help(EXPR_HELP));
      return kids;
    }

    function splitForm(o) {
      var total = o.arms.reduce(function (t, a) { return t + (a.weight || 0); }, 0) || 1;
      var kids = [help('Each customer is put in one arm at random, by weight. A holdout arm receives nothing: its customers are only watched for the goal, to measure uplift.')];
      o.arms.forEach(function (a, i) {
        var f = 'arms[' + i + ']';
        kids.push(h('fieldset', { class: 'jfieldset' }, [h('legend', { text: 'Arm ' + (i + 1) + ' · ' + Math.round(100 * (a.weight || 0) / total) + '%' }),
          h('div', { class: 'form-grid' }, [
            control({ label: 'Name', obj: a, key: 'name', field: f + '.name', mono: true, lazy: true, then: render }),
            control({ label: 'Weight', obj: a, key: 'weight', field: f + '.weight', kind: 'number', min: 1, max: 10000, lazy: true, then: renderPanel })]),
          control({ label: 'Holdout (receives nothing)', obj: a, key: 'holdout', field: f + '.holdout', kind: 'checkbox', then: function () { if (a.holdout) delete a.next; render(); renderPanel(); } }),
          editable() && o.arms.length > 2 ? btn('Remove arm', function () { o.arms.splice(i, 1); changed(); render(); renderPanel(); }, 'btn-danger') : null]));
      });
      if (editable()) kids.push(btn('Add arm', function () {
        var n = String.fromCharCode(97 + o.arms.length);
        o.arms.push({ name: n, weight: 10 });
        changed(); render(); renderPanel();
      }));
      return kids;
    }

    function messageForm(o, kind) {
      var m = o.message = o.message || {};
      var kids = [];
      if (kind === 'email') {
        kids.push(control({ label: 'From', obj: m, key: 'from', field: 'message.from', placeholder: data.default_from || 'the workspace’s sender' }));
        kids.push(control({ label: 'Subject', obj: m, key: 'subject', field: 'message.subject', placeholder: '{{.profile.traits.first_name}}, welcome' }));
        kids.push(control({ label: 'HTML', obj: m, key: 'html', field: 'message.html', kind: 'textarea', rows: 6, placeholder: '<p>Hi {{.profile.traits.first_name}}</p>' }));
        kids.push(control({ label: 'Plain-text part', obj: m, key: 'text', field: 'message.text', kind: 'textarea', rows: 3, help: 'Empty: made from the HTML. An unsubscribe link is added when the template has none.' }));
      } else if (kind === 'sms') {
        var count = h('small', { class: 'muted' });
        var ctl = control({ label: 'Text', obj: m, key: 'text', field: 'message.text', kind: 'textarea', rows: 4, mono: false,
          then: function () { smsCount(count, m.text); } });
        ctl.appendChild(count);
        smsCount(count, m.text);
        kids.push(ctl);
      } else {
        kids.push(control({ label: 'Title', obj: m, key: 'title', field: 'message.title' }));
        kids.push(control({ label: 'Text', obj: m, key: 'text', field: 'message.text', kind: 'textarea', rows: 3, mono: false }));
        kids.push(control({ label: 'Link', obj: m, key: 'url', field: 'message.url', mono: true, placeholder: 'https://shop.example/offer' }));
      }
      if (editable()) kids.push(section('Personalise', [help('Messages are Go templates. Click to insert into the field you were in:'),
        h('div', { class: 'chips' }, TPL_VARS.map(function (v) {
          return h('button', { type: 'button', class: 'chip mono', text: v, onclick: function () { insertVar(v); } });
        })), help('Functions: default, upper, lower, title, json — e.g. {{.profile.traits.first_name | default "there"}}.')]));
      return kids;
    }

    function smsCount(el, text) {
      text = text || '';
      var gsm = /^[\x20-\x7E\n\r£¥èéùìòÇØøÅå_ÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(text);
      var per = gsm ? 160 : 70;
      el.textContent = text.length + ' characters, about ' + Math.max(1, Math.ceil(text.length / per)) + ' message' + (text.length > per ? 's' : '') + (gsm ? '' : ' (Unicode)') + ' before personalisation';
    }

    function insertVar(v) {
      var el = st.lastText;
      if (!el || !panel.contains(el)) { T.toast('Click in a text field first.', true); return; }
      var a = el.selectionStart || 0, b = el.selectionEnd || 0;
      el.value = el.value.slice(0, a) + v + el.value.slice(b);
      el.focus();
      el.setSelectionRange(a + v.length, a + v.length);
      el.dispatchEvent(new Event('input'));
    }

    function surveyForm(o) {
      var kids = [];
      if (data.surveys.length) {
        kids.push(control({ label: 'Survey', obj: o, key: 'survey_id', kind: 'select',
          options: [['', 'Pick a survey']].concat(data.surveys.map(function (x) { return [x.id, x.name + ' (' + x.type + (x.status && x.status !== 'active' ? ', ' + x.status : '') + ')']; })) }));
      } else {
        kids.push(h('p', { class: 'alert', text: 'This workspace has no survey yet: create one (POST /api/v1/surveys), then pick it here.' }));
        kids.push(control({ label: 'Survey id', obj: o, key: 'survey_id', mono: true }));
      }
      kids.push(control({ label: 'Send by', obj: o, key: 'channel', kind: 'select', options: [['email', 'Email'], ['sms', 'SMS'], ['in_app', 'In-app message']],
        then: function () { o.message = {}; renderPanel(); } }));
      kids.push(control({ label: 'Wait for the answer up to', obj: o, key: 'timeout', placeholder: '7d', help: 'Answered: the “answered” output; otherwise “no answer”.' }));
      kids.push(help('The message must carry the survey’s personal link: {{.survey_url}}.'));
      return kids.concat(messageForm(o, o.channel || 'email'));
    }

    function traitsForm(o) {
      var kids = [help('Each trait is set to the value of an expression, e.g. "gold", profile.computed.orders + 1 or now.')];
      Object.keys(o.traits).forEach(function (k) {
        var holder = { key: k };
        var keyCtl = control({ label: 'Trait', obj: holder, key: 'key', field: 'traits', mono: true, lazy: true, then: function () {
          var nk = (holder.key || '').trim();
          if (!nk || nk === k || o.traits[nk] !== undefined) { renderPanel(); return; }
          var next = {};
          Object.keys(o.traits).forEach(function (x) { next[x === k ? nk : x] = o.traits[x]; });
          o.traits = next;
          renderPanel();
        } });
        kids.push(h('fieldset', { class: 'jfieldset' }, [keyCtl,
          control({ label: 'Set to', obj: o.traits, key: k, field: 'traits.' + k, mono: true }),
          editable() ? btn('Remove', function () { delete o.traits[k]; changed(); render(); renderPanel(); }, 'btn-danger') : null]));
      });
      if (editable()) kids.push(btn('Add trait', function () {
        var n = 1;
        while (o.traits['trait_' + n] !== undefined) n++;
        o.traits['trait_' + n] = '""';
        changed(); render(); renderPanel();
      }));
      return kids;
    }

    // previewSection renders the step for a profile into a sandboxed frame,
    // through the dashboard's preview page (which may show the message's
    // own styles, unlike this page).
    function previewSection(o) {
      if (!editable()) return [];
      var holder = { profile: st.profile, event: st.dryEvent };
      return [section('Preview', [
        control({ label: 'For the profile', obj: holder, key: 'profile', field: 'preview.profile', mono: true, ui: true, placeholder: 'user_id:42 or email:ana@example.com',
          then: function () { st.profile = holder.profile || ''; } }),
        control({ label: 'Trigger event (optional)', obj: holder, key: 'event', ui: true, placeholder: doc.entry.event || 'Signed Up', then: function () { st.dryEvent = holder.event || ''; } }),
        btn('Preview', function () { preview(o); })], 'preview')];
    }

    // preview renders the step for a profile into a sandboxed frame,
    // through the dashboard's preview page, which shows the message with its
    // own styles (this page's policy forbids them).
    var previewDialog = document.querySelector('[data-preview-dialog]');
    var previewFrame = previewDialog && previewDialog.querySelector('iframe');
    function preview(o) {
      var form = document.querySelector('[data-preview-form]');
      form.elements.profile.value = st.profile;
      form.elements.node.value = JSON.stringify(clean(o));
      form.elements.journey_id.value = doc.id || '';
      form.elements.event.value = st.dryEvent || doc.entry.event || '';
      previewDialog.querySelector('[data-preview-note]').textContent = title(find(o.id)) + (st.profile ? ' for ' + st.profile : '');
      previewFrame.removeAttribute('data-loaded');
      st.previewing = true;
      form.submit();
      if (!previewDialog.open) previewDialog.show();
    }
    if (previewDialog) {
      previewFrame.addEventListener('load', function () { if (st.previewing) previewFrame.setAttribute('data-loaded', ''); });
      previewDialog.addEventListener('keydown', function (e) { if (e.key === 'Escape') previewDialog.close(); });
      previewDialog.querySelector('[data-preview-close]').addEventListener('click', function () { previewDialog.close(); });
    }

    // statsPanel shows a step read-only with its counts.
    function statsPanel(cn) {
      var kids = [h('div', { class: 'panel-head' }, [h('span', { class: 'badge tbadge t-' + cn.type, text: label(cn.type) }), h('h3', { text: title(cn) })]),
        h('p', { class: 'muted', text: summary(cn) })];
      var ns = data.stats && (data.stats.nodes || {})[cn.type === 'goal' ? '' : cn.key];
      if (ns) {
        var rows = [['Entered', ns.entered], ['Waiting now', ns.waiting], ['Sent', ns.sent], ['Delivered', ns.delivered], ['Failed', ns.failed], ['Skipped', ns.skipped], ['Converted', ns.converted]];
        Object.keys(ns.passed || {}).forEach(function (p) { rows.push(['Passed “' + p + '”', ns.passed[p]]); });
        kids.push(h('dl', { class: 'kv kv-compact' }, rows.reduce(function (acc, r) {
          if (r[0] !== 'Entered' && !r[1]) return acc;
          return acc.concat([h('dt', { text: r[0] }), h('dd', { text: num(r[1]) })]);
        }, [])));
      } else if (cn.type === 'goal' && data.stats) {
        kids.push(h('p', { text: num(data.stats.converted) + ' of ' + num(data.stats.enrolled) + ' converted' }));
      }
      kids.push(h('details', {}, [h('summary', { text: 'Settings' }), h('pre', { class: 'json', text: JSON.stringify(clean(cn.obj), null, 2) })]));
      return h('div', { class: 'panel-body' }, kids);
    }

    // ---- Errors at the field the API names -------------------------------------------

    // locate maps an API field (nodes[2].branches[0].when) to a canvas node
    // and the field within it.
    function locate(field) {
      var m;
      if ((m = /^entry(?:\.(.+))?$/.exec(field))) return { key: 'entry', rel: m[1] || '' };
      if ((m = /^goal(?:\.(.+))?$/.exec(field))) return { key: GOAL, rel: m[1] || '' };
      if ((m = /^nodes\[(\d+)\](?:\.(.+))?$/.exec(field))) {
        var n = doc.nodes[Number(m[1])];
        if (n) return { key: n.id, rel: m[2] || '' };
      }
      return { key: null, rel: field };
    }

    function fieldError(el, msg) {
      el.classList.add('invalid');
      el.setAttribute('aria-invalid', 'true');
      var p = h('p', { class: 'field-error', role: 'alert', text: msg });
      el.insertAdjacentElement('afterend', p);
    }

    function showError() {
      var e = st.error;
      if (!e) return;
      var here = (e.key === null && (!st.sel || st.sel.kind !== 'node')) || (st.sel && st.sel.kind === 'node' && st.sel.key === e.key) ||
        (e.dry && st.sel && st.sel.kind === 'dryrun');
      if (!here) return;
      var el = e.rel && panel.querySelector('[data-field="' + cssEscape(e.rel) + '"]');
      if (el) { fieldError(el, e.message); el.focus({ preventScroll: false }); return; }
      panel.insertBefore(h('p', { class: 'alert panel-error', role: 'alert', text: e.message }), panel.firstChild);
    }

    // apiError shows what the API refused, at the field it names.
    function apiError(err, dry) {
      var msg = err.message || String(err);
      if (!err.field) {
        st.error = null;
        T.toast(msg, true);
        status('Not saved: ' + msg, true);
        throw err;
      }
      var at = dry && /^(profile|event|happens)/.test(err.field) ? { key: null, rel: err.field } : locate(err.field);
      var text = msg.indexOf(err.field + ': ') === 0 ? msg.slice(err.field.length + 2) : msg;
      text = text.replace(/^node "[^"]*": /, '');
      st.error = { key: at.key, rel: at.rel, message: text, field: err.field, dry: dry && at.key === null };
      if (st.error.dry) renderPanel();
      else if (at.key) { st.sel = { kind: 'node', key: at.key }; render(); renderPanel(); reveal(at.key); }
      else { st.sel = null; render(); renderPanel(); }
      status(err.field + ': ' + text, true);
      throw err;
    }

    // ---- Toolbar: validate, save, dry run, publish, stop, document -----------------------

    function body() { return clean(doc); }
    function url(suffix) { return '/api/v1/journeys/' + encodeURIComponent(doc.id || 'new') + (suffix || ''); }

    function status(text, bad) {
      var el = document.querySelector('[data-b="saved"]');
      if (!el) return;
      el.textContent = text;
      el.classList.toggle('text-red', !!bad);
    }

    function head() {
      var t = document.querySelector('[data-b="title"]'), c = document.querySelector('[data-b="crumb"]');
      if (t) t.textContent = doc.name || 'New journey';
      if (c) c.textContent = doc.name || 'New journey';
      if (st.dirty) status('unsaved changes');
    }

    function statusBadge() {
      var el = document.querySelector('[data-b="status"]');
      if (!el) return;
      el.textContent = '';
      var b = st.status === 'live' ? ['badge badge-green', 'live · v' + st.active] : st.status === 'stopped' ? ['badge badge-red', 'stopped · v' + st.active] : ['badge', 'draft'];
      el.appendChild(h('span', { class: b[0], text: b[1] }));
      var stop = document.querySelector('[data-do="stop"]');
      if (stop) stop.hidden = st.status !== 'live';
    }

    function busy(on) {
      document.querySelectorAll('[data-do]').forEach(function (b) { b.disabled = on; b.setAttribute('aria-busy', on ? 'true' : 'false'); });
    }

    function run(p) {
      busy(true);
      return p.then(function (v) { busy(false); return v; }, function (err) { busy(false); throw err; });
    }

    function clearErrorMarks() {
      var had = st.error;
      st.error = null;
      if (had) { render(); renderPanel(); }
    }

    function validate() {
      clearErrorMarks();
      return run(T.api('POST', url('/validate'), body())).then(function () {
        status(st.dirty ? 'valid, not saved yet' : 'valid');
        T.toast('The journey is valid.');
      }, function (err) { apiError(err); }).catch(function () {});
    }

    function save() {
      clearErrorMarks();
      if (st.isNew && !doc.id) {
        st.error = { key: null, rel: 'id', message: 'required: the journey’s id', field: 'id' };
        select(null);
        return Promise.reject(new Error('no id'));
      }
      var p = st.isNew ? T.api('POST', '/api/v1/journeys', body()) : T.api('PUT', url(), body());
      return run(p).then(function (j) {
        if (st.isNew) {
          st.isNew = false;
          history.replaceState(null, '', '/journeys/' + encodeURIComponent(j.id) + '/edit');
          var tb = document.querySelector('.jtoolbar');
          if (tb && !tb.querySelector('[data-b="stats-link"]')) tb.appendChild(h('a', { class: 'btn btn-ghost', href: '/journeys/' + encodeURIComponent(j.id), 'data-b': 'stats-link', text: 'Stats' }));
          if (!st.sel) renderPanel();
        }
        st.dirty = false;
        st.status = j.status;
        st.active = j.active_version;
        statusBadge();
        status('saved ' + new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }));
        return j;
      }, function (err) { return apiError(err); });
    }

    function ensureSaved() { return st.dirty || st.isNew ? save() : Promise.resolve(); }

    function publish() {
      var next = st.active + 1;
      if (!confirm('Publish the draft as version ' + next + '? Customers who enter from now on follow it; those inside an older version finish that one.')) return;
      ensureSaved().then(function () {
        return run(T.api('POST', url('/publish'))).then(function (v) {
          st.status = 'live';
          st.active = v.version;
          statusBadge();
          status('version ' + v.version + ' published');
          T.toast('Version ' + v.version + ' is live.');
        }, function (err) { apiError(err); });
      }).catch(function () {});
    }

    function stop() {
      if (!confirm('Stop this journey? No one enters any more, and customers inside leave at their next step.')) return;
      run(T.api('POST', url('/stop'))).then(function (j) {
        st.status = j.status;
        statusBadge();
        T.toast('The journey is stopped.');
      }, function (err) { T.toast(err.message, true); });
    }

    // ---- Dry run -----------------------------------------------------------------------

    function dryRunPanel() {
      var holder = { profile: st.profile, happens: st.happens, event: st.dryEvent };
      var result = h('div', { class: 'dryrun-result', 'data-dryrun-result': '' });
      if (st.dry) fillDry(result, st.dry);
      return h('div', { class: 'panel-body' }, [h('h3', { text: 'Dry run' }),
        help('Walks the draft for one customer and shows the path it would take, changing nothing and sending nothing. Unsaved changes are saved first.'),
        control({ label: 'Profile', obj: holder, key: 'profile', field: 'profile', mono: true, ui: true, placeholder: 'user_id:42 or email:ana@example.com',
          then: function () { st.profile = holder.profile || ''; } }),
        control({ label: 'Trigger event (optional)', obj: holder, key: 'event', field: 'event', ui: true, placeholder: doc.entry.event || '',
          help: 'Empty: the entry is taken as having fired.', then: function () { st.dryEvent = holder.event || ''; } }),
        control({ label: 'Events that happen while waiting', obj: holder, key: 'happens', field: 'happens', ui: true, placeholder: 'Order Completed, Survey Responded',
          help: 'Event waits and surveys take their event path for these, their timeout for others.', then: function () { st.happens = holder.happens || ''; } }),
        h('div', { class: 'panel-actions' }, [btn('Run', dryRun, 'btn-primary'), st.path ? btn('Clear the path', function () { st.path = null; st.dry = null; render(); renderPanel(); }) : null]),
        result]);
    }

    function dryRun() {
      clearErrorMarks();
      var req = { profile: st.profile.trim() };
      var happens = st.happens.split(',').map(function (x) { return x.trim(); }).filter(Boolean);
      if (happens.length) req.happens = happens;
      if (st.dryEvent.trim()) req.event = { name: st.dryEvent.trim() };
      ensureSaved().then(function () {
        return run(T.api('POST', url('/dry-run'), req)).then(function (out) {
          st.dry = out;
          st.path = { nodes: {}, edges: {} };
          (out.steps || []).forEach(function (step) {
            st.path.nodes[step.node_id] = true;
            if (step.port) st.path.edges[step.node_id + '|' + step.port] = true;
          });
          st.sel = { kind: 'dryrun' };
          render();
          // Show the whole path at once, as far as it stays legible.
          var ex = extent();
          if ((ex.w + 40) * st.zoom > wrap.clientWidth) fit(0.6);
          renderPanel();
        }, function (err) { apiError(err, true); });
      }).catch(function () {});
    }

    function fillDry(box, out) {
      box.appendChild(h('p', { class: out.entered ? 'notice' : 'alert', 'data-outcome': out.outcome, text: (out.entered ? 'Would enter, and end: ' : 'Would not enter: ') + (out.reason || out.outcome) }));
      var ol = h('ol', { class: 'dry-steps' });
      (out.steps || []).forEach(function (step) {
        var cn = find(step.node_id);
        ol.appendChild(h('li', {}, [h('strong', { text: cn ? title(cn) : step.node_id }), step.port ? h('span', { class: 'badge', text: step.port }) : null,
          h('small', { class: 'muted block', text: step.note + ' · ' + new Date(step.at).toLocaleString() })]));
      });
      box.appendChild(ol);
      if (out.entered) box.appendChild(h('p', { class: 'fine', text: 'Outcome: ' + out.outcome }));
    }

    // ---- The document dialog ----------------------------------------------------------

    var dialog = document.querySelector('[data-doc-dialog]');
    function showDocument(tab) {
      if (!dialog) return;
      dialog.querySelectorAll('[data-doc-tab]').forEach(function (b) { b.classList.toggle('active', b.getAttribute('data-doc-tab') === tab); });
      var pre = dialog.querySelector('[data-doc-text]'), note = dialog.querySelector('[data-doc-note]');
      if (tab === 'json') {
        pre.textContent = JSON.stringify(body(), null, 2);
        note.textContent = 'The journey as it stands in the builder' + (st.dirty ? ', with its unsaved changes' : '') + ': the document PUT /api/v1/journeys/{id} takes.';
      } else if (st.isNew) {
        pre.textContent = '';
        note.textContent = 'Save the journey first: the YAML is the saved draft, as the API writes it.';
      } else {
        pre.textContent = 'Loading…';
        note.textContent = 'The draft as saved' + (st.dirty ? ' (not the unsaved changes)' : '') + ', ready to keep in git and apply with touchpoint journeys apply DIR.';
        fetch(url('?format=yaml'), { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (t) { pre.textContent = t; },
          function () { pre.textContent = 'Touchpoint could not be reached.'; });
      }
      // A dialog that is not modal: the builder stays readable beside it.
      if (!dialog.open) dialog.show();
      dialog.focus();
    }
    if (dialog) {
      dialog.addEventListener('keydown', function (e) { if (e.key === 'Escape') dialog.close(); });
      dialog.addEventListener('click', function (e) {
        var tab = e.target.closest('[data-doc-tab]');
        if (tab) showDocument(tab.getAttribute('data-doc-tab'));
        if (e.target.closest('[data-doc-close]')) dialog.close();
      });
    }

    // ---- Wiring -------------------------------------------------------------------------

    document.addEventListener('click', function (e) {
      var add = e.target.closest('[data-add]');
      if (add && editable()) { addNode(add.getAttribute('data-add')); return; }
      var act = e.target.closest('[data-do]');
      if (!act || data.mode !== 'edit') return;
      switch (act.getAttribute('data-do')) {
        case 'validate': validate(); break;
        case 'save': save().catch(function () {}); break;
        case 'dryrun': select({ kind: 'dryrun' }); break;
        case 'publish': publish(); break;
        case 'stop': stop(); break;
        case 'document': showDocument('json'); break;
      }
    });
    window.addEventListener('beforeunload', function (e) {
      if (st.dirty && data.mode === 'edit') { e.preventDefault(); e.returnValue = ''; }
    });
    var wasEditable = editable();
    var onWidth = function () {
      render();
      if (editable() !== wasEditable) {
        wasEditable = editable();
        if (wasEditable) setZoom(1); else fit(0.6);
      }
      renderPanel();
      root.setAttribute('data-layout', narrow.matches ? 'narrow' : 'wide');
    };
    if (narrow.addEventListener) narrow.addEventListener('change', onWidth);
    var resizeTimer;
    window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(size, 150); });

    render();
    if (data.mode === 'stats' || !editable()) fit(0.6);
    renderPanel();
    root.setAttribute('data-layout', narrow.matches ? 'narrow' : 'wide');
    root.setAttribute('data-ready', '');
  }

  document.addEventListener('DOMContentLoaded', function () {
    var src = document.getElementById('journey-data');
    var root = document.querySelector('[data-builder]');
    if (!src || !root) return;
    var data = JSON.parse(src.textContent);
    data.surveys = data.surveys || [];
    // Pages whose main element is the builder use the full width.
    if (data.mode === 'edit') document.body.classList.add('wide');
    journey(root, data);
  });
})();
