// Touchpoint dashboard behaviours. Pages are rendered on the server; this
// script adds what needs a browser, each behaviour switched on by a data-*
// attribute so that a page opts in by markup alone:
//
//   data-chart="key"           draw a chart from the page's #chart-data JSON
//   data-table                 sort, filter and export a table as CSV
//   data-api="METHOD /path"    a form or button that calls the admin API
//   data-api-change=…          a select that calls the API when changed
//   data-copy="#el"            copy an element's text
//   data-tabs, data-stream, data-live-counter, data-autosubmit, data-toggle-nav
//   data-width="42"            set a bar's width in percent (inline styles are not allowed)
//   data-secret                a secret shown blurred until clicked
//   data-narrow-closed         a <details> folded on phones (long filter forms)
//
// Page scripts (the survey builder…) use window.tp: api, toast, copyText.
//
// Untrusted text is only ever put into the page with textContent.
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  // ---- API calls ---------------------------------------------------------

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
          var msg = data && data.error && data.error.message;
          if (!msg) msg = resp.status === 401 ? 'Your session has ended: sign in again.' : 'The server answered ' + resp.status + '. Try again.';
          var err = new Error(msg);
          err.status = resp.status;
          // field names what was wrong in the API's spelling, so a page
          // can show the message next to that field.
          err.field = data && data.error && data.error.field || '';
          throw err;
        }
        return data;
      });
    }, function () {
      throw new Error('Touchpoint could not be reached. Check your connection and try again.');
    });
  }

  function toast(msg, isError) {
    var el = document.querySelector('.toast');
    if (!el) { if (isError) alert(msg); return; }
    el.textContent = msg;
    el.classList.toggle('error', !!isError);
    el.hidden = false;
    clearTimeout(el._t);
    el._t = setTimeout(function () { el.hidden = true; }, isError ? 7000 : 3500);
  }

  function field(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }

  // then says what to do after a successful call: reload, redirect:/path/{field},
  // show:#selector (fill its [data-field] elements), toast:message.
  function after(then, data, origin) {
    if (!then || then === 'reload') { location.reload(); return; }
    var i = then.indexOf(':');
    var kind = then.slice(0, i), arg = then.slice(i + 1);
    if (kind === 'redirect') {
      location.href = arg.replace(/\{([\w.]+)\}/g, function (_, k) { return encodeURIComponent(field(data, k) || ''); });
    } else if (kind === 'show') {
      var box = document.querySelector(arg);
      box.querySelectorAll('[data-field]').forEach(function (el) { el.textContent = field(data, el.dataset.field) || ''; });
      box.hidden = false;
      if (origin && origin.reset) origin.reset();
    } else if (kind === 'toast') {
      toast(arg);
    }
  }

  function busy(el, on) {
    var btns = el.tagName === 'FORM' ? el.querySelectorAll('button') : [el];
    btns.forEach(function (b) { b.disabled = on; b.setAttribute('aria-busy', on ? 'true' : 'false'); });
  }

  // Form fields become JSON; data-type says how: int, list (comma or line
  // separated), map-int (kind=N per line), checks (the values of the ticked
  // checkboxes of that name, as a list). Others are strings. A dotted name
  // (budget.max) nests: {"budget":{"max":…}}.
  function formJSON(form) {
    var out = {};
    var put = function (name, v) {
      var keys = name.split('.'), o = out;
      keys.slice(0, -1).forEach(function (k) { o = o[k] = o[k] || {}; });
      return (o[keys[keys.length - 1]] = v);
    };
    var get = function (name) { return field(out, name); };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === 'submit') return;
      var v = el.value, t = el.dataset.type;
      if (t === 'checks') {
        var list = get(el.name) || put(el.name, []);
        if (el.checked) list.push(el.value);
        return;
      }
      if (t === 'int') v = parseInt(v, 10);
      else if (t === 'list') v = v.split(/[\n,]/).map(function (s) { return s.trim(); }).filter(Boolean);
      else if (t === 'map-int') {
        var m = {};
        v.split('\n').forEach(function (line) {
          var kv = line.split('=');
          if (kv.length === 2 && kv[0].trim()) m[kv[0].trim()] = parseInt(kv[1], 10);
        });
        v = m;
      }
      put(el.name, v);
    });
    return out;
  }

  function split(spec) {
    var i = spec.indexOf(' ');
    return [spec.slice(0, i), spec.slice(i + 1)];
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset.busy !== undefined) { busy(form, true); return; }
    if (!form.dataset.api) return;
    e.preventDefault();
    var mp = split(form.dataset.api);
    var errBox = form.querySelector('.form-error');
    if (errBox) errBox.hidden = true;
    busy(form, true);
    api(mp[0], mp[1], formJSON(form)).then(function (data) {
      busy(form, false);
      after(form.dataset.then, data, form);
    }, function (err) {
      busy(form, false);
      if (errBox) { errBox.textContent = err.message; errBox.hidden = false; } else toast(err.message, true);
    });
  });

  document.addEventListener('click', function (e) {
    var btn = e.target.closest('button[data-api]');
    if (btn) {
      if (btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
      var mp = split(btn.dataset.api);
      var body = btn.dataset.body ? JSON.parse(btn.dataset.body) : undefined;
      busy(btn, true);
      api(mp[0], mp[1], body).then(function (data) { after(btn.dataset.then, data, null); }, function (err) {
        busy(btn, false);
        toast(err.message, true);
      });
      return;
    }
    var secret = e.target.closest('[data-secret]');
    if (secret) { secret.classList.toggle('shown'); return; }
    var copy = e.target.closest('[data-copy]');
    if (copy) {
      var src = document.querySelector(copy.dataset.copy);
      copyText(src ? src.textContent : '', copy);
      return;
    }
    if (e.target.closest('[data-toggle-nav]')) {
      var open = document.body.classList.toggle('nav-open');
      var t = document.querySelector('button[data-toggle-nav]');
      if (t) t.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
  });

  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.matches('select[data-autosubmit]')) {
      // A breakdown by trait needs the trait's name before it can load.
      var trait = el.form.querySelector('[data-trait-field]');
      if (trait) {
        trait.hidden = el.value !== 'trait';
        if (el.value === 'trait' && !trait.querySelector('input').value) { trait.querySelector('input').focus(); return; }
      }
      el.form.submit();
      return;
    }
    if (el.dataset.apiChange) {
      var mp = split(el.dataset.apiChange);
      var body = {};
      body[el.dataset.field] = el.value;
      el.disabled = true;
      api(mp[0], mp[1], body).then(function () {
        el.disabled = false;
        toast('Saved.');
      }, function (err) {
        el.disabled = false;
        toast(err.message, true);
        setTimeout(function () { location.reload(); }, 1500);
      });
    }
  });

  function copyText(text, btn) {
    var done = function () {
      var label = btn.querySelector('span') || btn;
      var was = label.textContent;
      label.textContent = 'Copied';
      setTimeout(function () { label.textContent = was; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }
  function fallbackCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } catch (e) { /* nothing more to try */ }
    ta.remove();
  }

  // ---- Times -------------------------------------------------------------

  function localTime(el) {
    var d = new Date(el.getAttribute('datetime'));
    if (isNaN(d)) return;
    var opts = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
    if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
    el.textContent = d.toLocaleString(undefined, opts);
  }

  // ---- Tables ------------------------------------------------------------

  function cellValue(td) {
    return td.dataset.value !== undefined ? td.dataset.value : td.textContent.trim();
  }

  function enhanceTable(table) {
    if (table._enhanced) return;
    table._enhanced = true;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var tools = document.createElement('div');
    tools.className = 'table-tools';
    var count = document.createElement('span');
    count.className = 'count';
    var filter = document.createElement('input');
    filter.type = 'search';
    filter.placeholder = 'Filter rows…';
    filter.setAttribute('aria-label', 'Filter rows');
    var csv = document.createElement('button');
    csv.type = 'button';
    csv.className = 'btn btn-small';
    csv.textContent = 'Export CSV';
    tools.append(count, filter, csv);
    var wrap = table.closest('.table-wrap') || table;
    wrap.parentNode.insertBefore(tools, wrap);

    function visible() { return rows.filter(function (r) { return !r.hidden; }); }
    function updateCount() {
      var n = visible().length;
      var noun = rows.length === 1 ? ' row' : ' rows';
      count.textContent = n === rows.length ? rows.length + noun : n + ' of ' + rows.length + noun;
    }
    filter.addEventListener('input', function () {
      var q = filter.value.toLowerCase();
      rows.forEach(function (r) { r.hidden = q && r.textContent.toLowerCase().indexOf(q) < 0; });
      updateCount();
    });
    updateCount();

    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, i) {
      if (th.dataset.nosort !== undefined) return;
      th.dataset.sortable = '';
      th.tabIndex = 0;
      var sort = function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var num = th.dataset.type === 'number';
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[i]), y = cellValue(b.cells[i]);
          var c = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, undefined, { numeric: true, sensitivity: 'base' });
          return asc ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });

    csv.addEventListener('click', function () {
      var cols = [];
      Array.prototype.forEach.call(ths, function (th, i) { if (th.textContent.trim()) cols.push(i); });
      var esc = function (s) { s = String(s).replace(/\s+/g, ' ').trim(); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
      var lines = [cols.map(function (i) { return esc(ths[i].textContent); }).join(',')];
      visible().forEach(function (r) {
        lines.push(cols.map(function (i) {
          var td = r.cells[i];
          var sel = td.querySelector('select');
          return esc(sel ? sel.value : td.dataset.value !== undefined ? td.dataset.value : td.textContent);
        }).join(','));
      });
      var blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = table.dataset.csv || 'table.csv';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });
  }

  // ---- Charts ------------------------------------------------------------

  var palette = ['#4f46e5', '#0ba5ec', '#dd2590', '#f79009', '#17b26a', '#7a5af8', '#f04438', '#667085', '#eaaa08', '#2e90fa', '#66c61c', '#ee46bc'];
  var chartData = null;
  var charts = [];

  var reducedMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function chartOptions(key, data) {
    if (data[key] && data[key].kind) return kindOptions(data[key]);
    var base = {
      color: palette, animation: !reducedMotion, animationDuration: 500,
      // Tooltips are drawn on the canvas: no HTML is built from the data.
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      textStyle: { fontFamily: 'system-ui, sans-serif' },
    };
    var compact = function (n) {
      var a = Math.abs(n);
      if (a >= 1e6) return +(n / 1e6).toFixed(1) + 'M';
      if (a >= 1e3) return +(n / 1e3).toFixed(1) + 'k';
      return String(n);
    };
    var axisLabel = { color: '#667085', formatter: compact, hideOverlap: true };
    var dayLabel = { color: '#667085', hideOverlap: true, formatter: function (d) {
      return new Date(d + 'T00:00:00Z').toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    } };
    var days = data.days;
    if (key === 'events_by_day') {
      var names = Object.keys(data.channels).sort(function (a, b) {
        var s = function (n) { return data.channels[n].reduce(function (x, y) { return x + y; }, 0); };
        return s(b) - s(a);
      });
      return Object.assign(base, {
        legend: { type: 'scroll', top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
        xAxis: { type: 'category', data: days, boundaryGap: false, axisLabel: dayLabel },
        yAxis: { type: 'value', axisLabel: axisLabel, splitLine: { lineStyle: { color: '#eef0f4' } } },
        series: names.map(function (n) {
          return { name: n, type: 'line', stack: 'events', areaStyle: { opacity: .18 }, smooth: true, showSymbol: false, lineStyle: { width: 1.5 }, data: data.channels[n] };
        }),
      });
    }
    if (key === 'customers_by_day') {
      return Object.assign(base, {
        legend: { top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
        xAxis: { type: 'category', data: days, boundaryGap: false, axisLabel: dayLabel },
        yAxis: { type: 'value', axisLabel: axisLabel, splitLine: { lineStyle: { color: '#eef0f4' } } },
        series: [
          { name: 'Active customers', type: 'line', smooth: true, showSymbol: false, areaStyle: { opacity: .12 }, data: data.active },
          { name: 'New customers', type: 'bar', barMaxWidth: 10, itemStyle: { color: '#17b26a', borderRadius: [3, 3, 0, 0] }, data: data.new },
        ],
      });
    }
    if (key === 'by_channel') {
      return Object.assign(base, {
        tooltip: { trigger: 'item', renderMode: 'richText', confine: true },
        legend: { type: 'scroll', bottom: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
        series: [{ type: 'pie', radius: ['45%', '72%'], center: ['50%', '45%'], avoidLabelOverlap: true, label: { show: false },
          itemStyle: { borderColor: '#fff', borderWidth: 2 }, data: data.by_channel }],
      });
    }
    // by_source, top_events: horizontal bars, largest on top.
    var items = (data[key] || []).slice(0, 10).reverse();
    return Object.assign(base, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLabel: axisLabel, splitNumber: 3, splitLine: { lineStyle: { color: '#eef0f4' } } },
      yAxis: { type: 'category', data: items.map(function (i) { return i.name; }),
        axisLabel: { color: '#344054', width: 130, overflow: 'truncate' } },
      series: [{ type: 'bar', data: items.map(function (i) { return i.value; }), barMaxWidth: 18,
        itemStyle: { color: key === 'top_events' ? '#7a5af8' : '#4f46e5', borderRadius: [0, 4, 4, 0] } }],
    });
  }

  // kindOptions draws a chart whose data says its kind:
  //   {kind: "columns", labels, series: [{name, data, colors?, color?}], horizontal?, stacked?, unit?, digits?, counts?}
  //   {kind: "trend", labels (dates), value, lower, upper, responses, name, unit?, interval}
  // Values may be null (no data for that label).
  function kindOptions(spec) {
    var unit = spec.unit || '';
    var k = Math.pow(10, spec.digits === undefined ? 1 : spec.digits);
    var fmt = function (v) { return v === null || v === undefined ? '–' : (Math.round(v * k) / k) + unit; };
    var base = {
      color: palette, animation: !reducedMotion, animationDuration: 500,
      tooltip: { trigger: 'axis', renderMode: 'richText', confine: true, axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      textStyle: { fontFamily: 'system-ui, sans-serif' },
    };
    var valueAxis = { type: 'value', minInterval: spec.counts ? 1 : 0, axisLabel: { color: '#667085', formatter: function (v) { return v + unit; } }, splitLine: { lineStyle: { color: '#eef0f4' } } };
    if (spec.kind === 'columns') {
      // Horizontal bars read top down, in the order given.
      var cat = { type: 'category', data: spec.labels, inverse: !!spec.horizontal, axisLabel: { color: '#344054', width: 130, overflow: 'truncate', hideOverlap: !spec.horizontal } };
      var series = spec.series.map(function (s, i) {
        return {
          name: s.name, type: 'bar', stack: spec.stacked ? 'all' : undefined, barMaxWidth: spec.horizontal ? 18 : 36,
          itemStyle: { color: s.color || palette[i % palette.length], borderRadius: spec.stacked ? 0 : spec.horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] },
          label: { show: !spec.stacked, position: spec.horizontal ? 'right' : 'top', color: '#475467', fontSize: 11, formatter: function (p) { return p.value ? fmt(p.value) : ''; } },
          data: s.data.map(function (v, j) { return s.colors ? { value: v, itemStyle: { color: s.colors[j] } } : v; }),
        };
      });
      var o = Object.assign(base, { series: series });
      if (spec.series.length > 1) o.legend = { top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 };
      else o.grid.top = 16;
      if (spec.horizontal) { o.xAxis = Object.assign(valueAxis, { splitNumber: 3 }); o.yAxis = cat; o.grid.right = 40; }
      else { o.xAxis = cat; o.yAxis = valueAxis; }
      return o;
    }
    if (spec.kind === 'trend') {
      var label = { color: '#667085', hideOverlap: true, formatter: function (d) {
        var opts = spec.interval === 'month' ? { month: 'short', year: '2-digit', timeZone: 'UTC' } : { month: 'short', day: 'numeric', timeZone: 'UTC' };
        return new Date(d + 'T00:00:00Z').toLocaleDateString(undefined, opts);
      } };
      // The margin of error is a band: an invisible base at the lower
      // bound with the band's height stacked on it.
      var band = spec.upper.map(function (u, i) { return u === null || spec.lower[i] === null ? null : u - spec.lower[i]; });
      return Object.assign(base, {
        legend: { top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8, data: [spec.name, 'Responses'] },
        // The tooltip is text (richText), built from numbers only.
        tooltip: { trigger: 'axis', renderMode: 'richText', confine: true, formatter: function (ps) {
          var i = ps[0].dataIndex;
          var moe = spec.upper[i] === null ? '' : ' ± ' + (Math.round((spec.upper[i] - spec.value[i]) * 10) / 10) + unit;
          return label.formatter(spec.labels[i]) + '\n' + spec.name + ': ' + fmt(spec.value[i]) + moe + '\nResponses: ' + spec.responses[i];
        } },
        xAxis: { type: 'category', data: spec.labels, boundaryGap: true, axisLabel: label },
        yAxis: [valueAxis, { type: 'value', minInterval: 1, axisLabel: { color: '#98a2b3' }, splitLine: { show: false } }],
        series: [
          { name: 'Responses', type: 'bar', yAxisIndex: 1, data: spec.responses, barMaxWidth: 18, itemStyle: { color: '#e4e7ec', borderRadius: [3, 3, 0, 0] } },
          { name: 'low', type: 'line', stack: 'band', stackStrategy: 'all', data: spec.lower, lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false }, silent: true },
          { name: 'margin of error', type: 'line', stack: 'band', stackStrategy: 'all', data: band, lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(79,70,229,.12)' }, tooltip: { show: false }, silent: true },
          { name: spec.name, type: 'line', data: spec.value, symbolSize: 7, connectNulls: true, lineStyle: { width: 2.5, color: '#4f46e5' }, itemStyle: { color: '#4f46e5' } },
        ],
      });
    }
    return base;
  }

  // Pages with charts of their own kinds (analytics.js) register them in
  // window.TouchpointCharts by key: {prepare(el, data), options(data, el)}.
  // prepare may size the element before the chart is made.
  function drawCharts(root) {
    var els = root.querySelectorAll('[data-chart]');
    if (!els.length) return;
    if (!chartData) {
      var src = document.getElementById('chart-data');
      if (!src) return;
      chartData = JSON.parse(src.textContent);
    }
    if (!window.echarts) { setTimeout(function () { drawCharts(root); }, 50); return; }
    var kinds = window.TouchpointCharts || {};
    els.forEach(function (el) {
      if (el._chart) return;
      var sk = el.querySelector('.skeleton');
      if (sk) sk.remove();
      // Horizontal bars marked chart-fit take the height their rows need.
      var spec = chartData[el.dataset.chart];
      if (el.classList.contains('chart-fit') && spec && spec.labels) el.style.height = Math.max(110, 40 + spec.labels.length * 34) + 'px';
      var kind = kinds[el.dataset.chart];
      if (kind && kind.prepare) kind.prepare(el, chartData);
      var c = window.echarts.init(el, null, { renderer: 'canvas' });
      // data-drawn tells tests (and anyone waiting) the chart is complete.
      c.on('finished', function () { el.dataset.drawn = 'true'; });
      c.setOption(kind ? Object.assign({ color: palette, animation: !reducedMotion, textStyle: { fontFamily: 'system-ui, sans-serif' } },
        kind.options(chartData, el)) : chartOptions(el.dataset.chart, chartData));
      el._chart = c;
      charts.push(c);
      // A chart follows its box, whatever changes its width (a rotated
      // phone, the navigation opening), not only the window.
      if (window.ResizeObserver) new ResizeObserver(function () { c.resize(); }).observe(el);
    });
  }
  // Charts follow the window at the next frame: soon enough that a phone
  // turned sideways (or a screenshot at another width) never shows a chart
  // wider than its card.
  var resizeQueued = false;
  window.addEventListener('resize', function () {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(function () {
      resizeQueued = false;
      charts.forEach(function (c) { c.resize(); });
    });
  });

  // ---- Live counter ------------------------------------------------------

  function liveCounter(el) {
    var shown = null;
    var fmt = function (n) { return Number(n).toLocaleString(); };
    var tick = function () {
      api('GET', '/api/v1/stats').then(function (s) {
        var n = s.events_total;
        if (shown !== null && n > shown) {
          var from = shown, start = performance.now();
          var step = function (t) {
            var p = Math.min(1, (t - start) / 800);
            el.textContent = fmt(Math.round(from + (n - from) * p));
            if (p < 1) requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        } else {
          el.textContent = fmt(n);
        }
        shown = n;
      }, function () {
        var note = document.querySelector('[data-live-note]');
        if (note) note.textContent = 'reconnecting…';
      });
    };
    tick();
    setInterval(function () { if (!document.hidden) tick(); }, 5000);
  }

  // ---- Live stream and debugger ------------------------------------------

  function stream(root) {
    var list = root.querySelector('.stream-list');
    var empty = root.querySelector('.stream-empty');
    var body = root.querySelector('.stream-body');
    var dbg = root.querySelector('.debugger');
    var status = '', after = 0, paused = false, calls = [];
    var pauseBtn = root.querySelector('[data-pause]');

    function text(tag, cls, s) { var el = document.createElement(tag); if (cls) el.className = cls; el.textContent = s; return el; }

    function label(c) {
      var ev = c.event || {};
      if (ev.event) return ev.event;
      if (ev.name) return c.type + ' ' + ev.name;
      var who = ev.userId || ev.anonymousId || ev.groupId;
      return who ? (c.type || 'call') + ' ' + who : c.type || 'call';
    }

    function row(c, fresh) {
      var li = document.createElement('li');
      li.className = (c.accepted ? 'accepted' : 'rejected') + (fresh ? ' new' : '');
      li.tabIndex = 0;
      li.appendChild(text('span', 'st', ''));
      li.appendChild(text('span', 'badge', c.type || '?'));
      var what = text('span', 'what', label(c));
      if (c.source_name) what.appendChild(text('span', 'muted', ' · ' + c.source_name));
      if (!c.accepted && c.error) what.appendChild(text('span', 'why', c.error.message));
      li.appendChild(what);
      var t = text('time', '', new Date(c.time).toLocaleTimeString());
      li.appendChild(t);
      li.addEventListener('click', function () { show(c, li); });
      li.addEventListener('keydown', function (e) { if (e.key === 'Enter') show(c, li); });
      return li;
    }

    function show(c, li) {
      list.querySelectorAll('.selected').forEach(function (x) { x.classList.remove('selected'); });
      li.classList.add('selected');
      dbg.querySelector('[data-d="title"]').textContent = (c.accepted ? 'Accepted: ' : 'Rejected: ') + label(c);
      var err = dbg.querySelector('[data-d="error"]');
      if (c.error) {
        err.textContent = c.error.message + (c.error.field ? ' (field ' + c.error.field + ')' : '');
        err.hidden = false;
      } else err.hidden = true;
      var meta = dbg.querySelector('[data-d="meta"]');
      meta.textContent = '';
      [['Received', new Date(c.time).toLocaleString()], ['Endpoint', c.path], ['Source', c.source_name || c.source_id || ''],
        ['Message id', c.message_id || ''], ['Channel', (c.event && c.event.channel) || '']].forEach(function (kv) {
        if (!kv[1]) return;
        meta.appendChild(text('dt', '', kv[0]));
        meta.appendChild(text('dd', '', kv[1]));
      });
      var json;
      if (c.event) json = JSON.stringify(c.event, null, 2);
      else {
        try { json = JSON.stringify(JSON.parse(c.payload), null, 2); } catch (e) { json = c.payload || ''; }
      }
      dbg.querySelector('[data-d="json"]').textContent = json;
      dbg.hidden = false;
      body.classList.add('open');
    }
    dbg.querySelector('[data-close]').addEventListener('click', function () { dbg.hidden = true; body.classList.remove('open'); });

    function render() {
      list.textContent = '';
      calls.filter(match).forEach(function (c) { list.appendChild(row(c, false)); });
      empty.hidden = list.children.length > 0;
    }
    function match(c) { return !status || (status === 'accepted') === c.accepted; }

    function poll() {
      if (paused || document.hidden) return;
      api('GET', '/api/v1/debugger?after=' + after + '&limit=100').then(function (resp) {
        var fresh = resp.calls || [];
        if (!fresh.length) return;
        after = Math.max(after, fresh[0].seq);
        calls = fresh.concat(calls).slice(0, 300);
        fresh.slice().reverse().forEach(function (c) {
          if (match(c)) list.insertBefore(row(c, true), list.firstChild);
        });
        while (list.children.length > 300) list.removeChild(list.lastChild);
        empty.hidden = list.children.length > 0;
      }, function (err) { toast(err.message, true); });
    }

    root.querySelectorAll('[data-status]').forEach(function (b) {
      b.addEventListener('click', function () {
        root.querySelectorAll('[data-status]').forEach(function (x) { x.classList.toggle('active', x === b); });
        status = b.dataset.status;
        render();
      });
    });
    pauseBtn.addEventListener('click', function () {
      paused = !paused;
      pauseBtn.textContent = paused ? 'Resume' : 'Pause';
      if (!paused) poll();
    });
    poll();
    setInterval(poll, 2000);
  }

  // ---- Tabs, timeline filter ----------------------------------------------

  function tabs(root) {
    root.querySelectorAll('[data-tab]').forEach(function (t) {
      t.addEventListener('click', function () {
        root.querySelectorAll('[data-tab]').forEach(function (x) { x.classList.toggle('active', x === t); });
        root.querySelectorAll('[data-panel]').forEach(function (p) { p.hidden = p.dataset.panel !== t.dataset.tab; });
      });
    });
  }

  function timelineFilter(root) {
    var items = document.querySelectorAll('.timeline li');
    root.querySelectorAll('[data-channel]').forEach(function (b) {
      b.addEventListener('click', function () {
        root.querySelectorAll('[data-channel]').forEach(function (x) { x.classList.toggle('active', x === b); });
        items.forEach(function (li) { li.hidden = b.dataset.channel && li.dataset.channel !== b.dataset.channel; });
      });
    });
  }

  // Shared with page scripts (analytics.js, journeys.js): API calls with the session's
  // CSRF token and errors in the API's words, and the toast.
  window.Touchpoint = { api: api, toast: toast };

  // ---- Start -------------------------------------------------------------

  function init(root) {
    root.querySelectorAll('time[datetime]').forEach(localTime);
    // Long filter forms fold away on phones, to show results first.
    if (window.matchMedia && window.matchMedia('(max-width: 820px)').matches) {
      root.querySelectorAll('details[data-narrow-closed]').forEach(function (d) { d.open = false; });
    }
    root.querySelectorAll('[data-width]').forEach(function (el) {
      var w = parseFloat(el.dataset.width);
      el.style.width = (isNaN(w) ? 0 : Math.max(0, Math.min(100, w))) + '%';
    });
    root.querySelectorAll('table[data-table]').forEach(enhanceTable);
    drawCharts(root);
  }

  window.tp = { api: api, toast: toast, copyText: copyText };

  document.addEventListener('DOMContentLoaded', function () {
    init(document);
    document.querySelectorAll('[data-live-counter]').forEach(liveCounter);
    document.querySelectorAll('[data-stream]').forEach(stream);
    document.querySelectorAll('[data-tabs]').forEach(tabs);
    document.querySelectorAll('[data-filter-timeline]').forEach(timelineFilter);
  });
  // Parts swapped in by htmx (search results) get the same treatment.
  document.addEventListener('htmx:afterSettle', function (e) { init(e.target); });
})();
