// Touchpoint analytics pages: the charts of funnels, paths, retention, the
// journey map, key drivers and predictions, and the behaviours of their
// forms (the funnel's step builder, sliders, suggestions). The charts are
// registered with app.js by key (window.TouchpointCharts), which draws them
// from the page's #chart-data JSON. Text from the data only ever reaches
// the page as textContent or canvas text (tooltips use renderMode
// 'richText'), never as HTML.
(function () {
  'use strict';

  var C = window.TouchpointCharts = window.TouchpointCharts || {};
  var grey = '#667085', line = '#eef0f4', primary = '#4f46e5', red = '#d92d20', green = '#079455', amber = '#dc6803';

  function num(n) { return Number(n).toLocaleString(); }
  function pct(f) {
    if (f == null || isNaN(f)) return '–';
    var p = f * 100;
    return (p >= 10 || p === 0 || p === Math.round(p) ? Math.round(p) : p.toFixed(1)) + '%';
  }
  function dur(s) {
    if (s == null || isNaN(s)) return '–';
    if (s < 60) return Math.round(s) + ' s';
    if (s < 3600) return trim(s / 60) + ' min';
    if (s < 48 * 3600) return trim(s / 3600) + ' h';
    return trim(s / 86400) + ' days';
  }
  function trim(f) { return f >= 10 ? String(Math.round(f)) : String(+f.toFixed(1)); }
  function compact(n) {
    var a = Math.abs(n);
    if (a >= 1e6) return +(n / 1e6).toFixed(1) + 'M';
    if (a >= 1e3) return +(n / 1e3).toFixed(1) + 'k';
    return String(+n.toFixed(2));
  }
  function cut(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }
  // plain keeps a name from reading as ECharts rich-text markup.
  function plain(s) { return String(s).replace(/[{}|]/g, ' '); }
  var tooltip = function (extra) {
    return Object.assign({ renderMode: 'richText', confine: true, backgroundColor: '#fff', borderColor: '#e4e7ee', textStyle: { color: '#141a26', fontSize: 12 } }, extra);
  };
  var valueAxis = function (extra) {
    return Object.assign({ type: 'value', axisLabel: { color: grey, formatter: compact, hideOverlap: true }, splitLine: { lineStyle: { color: line } } }, extra);
  };

  // ---- Funnel: customers at each step, and those who dropped ------------

  C.funnel = { options: function (data) {
    var steps = data.funnel || [];
    var labels = steps.map(function (s, i) { return (i + 1) + '. ' + s.label; });
    return {
      tooltip: tooltip({ trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
        var s = steps[ps[0].dataIndex];
        var out = [labels[ps[0].dataIndex], num(s.count) + ' customers (' + pct(s.conversion) + ' of step 1)'];
        if (ps[0].dataIndex > 0) {
          out.push(pct(s.step_conversion) + ' of the previous step, ' + num(s.dropped) + ' dropped');
          out.push('Median time from the previous step: ' + dur(s.median_seconds));
        }
        return out.join('\n');
      } }),
      legend: { top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: labels, axisTick: { show: false },
        axisLabel: { color: '#344054', interval: 0, width: Math.max(70, 900 / Math.max(labels.length, 1)), overflow: 'break', lineHeight: 14 } },
      yAxis: valueAxis(),
      series: [
        { name: 'Reached', type: 'bar', stack: 'f', barMaxWidth: 90, itemStyle: { color: primary, borderRadius: [0, 0, 0, 0] },
          label: { show: true, position: 'insideTop', distance: 8, formatter: function (p) {
            var s = steps[p.dataIndex];
            return '{p|' + pct(s.conversion) + '}' + (p.dataIndex > 0 && s.median_seconds != null ? '\n{t|' + dur(s.median_seconds) + '}' : '');
          }, rich: { p: { color: '#fff', fontWeight: 700, fontSize: 13, lineHeight: 18 }, t: { color: 'rgba(255,255,255,.85)', fontSize: 11, lineHeight: 15 } } },
          data: steps.map(function (s) { return s.count; }) },
        { name: 'Dropped', type: 'bar', stack: 'f', barMaxWidth: 90, itemStyle: { color: '#fbd5d2', borderRadius: [4, 4, 0, 0] },
          data: steps.map(function (s, i) { return i === 0 ? 0 : s.dropped; }) },
      ],
    };
  } };

  // ---- Paths: a Sankey chart of what comes next ----------------------------

  C.sankey = { prepare: function (el, data) {
    var perStep = {};
    (data.sankey.nodes || []).forEach(function (n) { perStep[n.step] = (perStep[n.step] || 0) + 1; });
    var most = Math.max.apply(null, [4].concat(Object.keys(perStep).map(function (k) { return perStep[k]; })));
    el.style.height = Math.max(360, most * 56) + 'px';
    var steps = Object.keys(perStep).length;
    el.style.minWidth = Math.max(0, steps * 150) + 'px';
  }, options: function (data) {
    var s = data.sankey;
    var label = {};
    s.nodes.forEach(function (n) { label[n.id] = n.label; });
    return {
      tooltip: tooltip({ trigger: 'item', formatter: function (p) {
        if (p.dataType === 'edge') return label[p.data.source] + ' → ' + label[p.data.target] + '\n' + num(p.data.value) + ' customers';
        return p.data.label + '\n' + num(p.data.count) + ' customers';
      } }),
      series: [{ type: 'sankey', left: 8, right: 130, top: 12, bottom: 12, nodeGap: 10, nodeWidth: 14, draggable: false, nodeAlign: 'left',
        layoutIterations: 48, emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        label: { color: '#141a26', fontSize: 12, formatter: function (p) { return cut(p.data.label, 26) + '  ' + compact(p.data.count); } },
        itemStyle: { borderWidth: 0 },
        data: s.nodes.map(function (n) {
          var color = n.step === 0 ? primary : /^\(/.test(n.label) ? '#98a2b3' : undefined;
          return { name: n.id, label: n.label, count: n.count, itemStyle: color ? { color: color } : undefined };
        }),
        links: s.links.map(function (l) { return { source: l.source, target: l.target, value: l.value }; }),
      }],
    };
  } };

  // ---- Retention: the curve over periods ------------------------------------

  C.retention = { options: function (data) {
    var c = data.curve;
    var series = [{ name: 'All cohorts', type: 'line', data: c.total, lineStyle: { width: 3 }, symbolSize: 6, z: 3, color: primary,
      areaStyle: { opacity: 0.08 } }];
    (c.series || []).forEach(function (s) {
      series.push({ name: s.name, type: 'line', data: s.rates, lineStyle: { width: 1.2 }, showSymbol: false, connectNulls: false });
    });
    return {
      tooltip: tooltip({ trigger: 'axis', valueFormatter: pct }),
      legend: { type: 'scroll', top: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: c.labels, boundaryGap: false, axisLabel: { color: grey, hideOverlap: true } },
      yAxis: valueAxis({ max: 1, axisLabel: { color: grey, formatter: function (v) { return Math.round(v * 100) + '%'; } } }),
      series: series,
    };
  } };

  // ---- Forest: effects with 95% intervals ----------------------------------

  function forest(f) {
    var items = (f.items || []).slice().reverse();
    var colour = function (it) {
      if (!it.significant) return '#98a2b3';
      return (it.effect > 0) !== !!f.higher_is_bad ? green : red;
    };
    return {
      tooltip: tooltip({ trigger: 'item', formatter: function (p) {
        var it = items[p.dataIndex];
        return it.label + '\nEffect ' + (it.effect > 0 ? '+' : '') + it.effect.toFixed(2) + ' (95%: ' + it.low.toFixed(2) + ' to ' + it.high.toFixed(2) + ')\n' +
          (it.significant ? 'Clear: the interval excludes 0' : 'Not clear: the interval includes 0') + '\n' + f.unit;
      } }),
      grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
      xAxis: valueAxis({ scale: true }),
      yAxis: { type: 'category', data: items.map(function (it) { return cut(it.label, 34); }), axisTick: { show: false },
        axisLabel: { color: '#344054' }, splitLine: { show: true, lineStyle: { color: '#f5f6fa' } } },
      series: [{ type: 'custom', data: items.map(function (it, i) { return [it.low, it.high, it.effect, i]; }),
        encode: { x: [0, 1, 2], y: 3 },
        renderItem: function (params, api) {
          var i = api.value(3);
          var lo = api.coord([api.value(0), i]), hi = api.coord([api.value(1), i]), mid = api.coord([api.value(2), i]);
          var c = colour(items[params.dataIndex]);
          var h = Math.min(10, api.size([0, 1])[1] * 0.35);
          return { type: 'group', children: [
            { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: c, lineWidth: 2 } },
            { type: 'line', shape: { x1: lo[0], y1: lo[1] - h / 2, x2: lo[0], y2: lo[1] + h / 2 }, style: { stroke: c, lineWidth: 2 } },
            { type: 'line', shape: { x1: hi[0], y1: hi[1] - h / 2, x2: hi[0], y2: hi[1] + h / 2 }, style: { stroke: c, lineWidth: 2 } },
            { type: 'circle', shape: { cx: mid[0], cy: mid[1], r: 5 }, style: { fill: c, stroke: '#fff', lineWidth: 1.5 } },
          ] };
        },
        markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#344054', type: 'solid', width: 1 }, data: [{ xAxis: 0 }] },
      }],
    };
  }
  function forestHeight(el, f) { el.style.height = Math.max(220, 40 + (f.items || []).length * 30) + 'px'; }
  C.forest = { prepare: function (el, d) { forestHeight(el, d.forest); }, options: function (d) { return forest(d.forest); } };
  C.drivers = { prepare: function (el, d) { forestHeight(el, d.drivers); }, options: function (d) { return forest(d.drivers); } };

  // ---- Histograms of stored scores ------------------------------------------

  function histogram(bars, color) {
    return {
      tooltip: tooltip({ trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: function (v) { return num(v) + ' customers'; } }),
      grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: bars.map(function (b) { return b.label; }), axisLabel: { color: grey, hideOverlap: true, rotate: bars.length > 6 ? 30 : 0 } },
      yAxis: valueAxis(),
      series: [{ type: 'bar', data: bars.map(function (b) { return b.profiles; }), barCategoryGap: '12%', itemStyle: { color: color, borderRadius: [3, 3, 0, 0] } }],
    };
  }
  C.risk = { options: function (d) {
    var o = histogram(d.risk || [], red);
    // Low risk in green, high in red.
    o.series[0].data = (d.risk || []).map(function (b, i, all) {
      var t = all.length > 1 ? i / (all.length - 1) : 0;
      return { value: b.profiles, itemStyle: { color: mix(t) } };
    });
    return o;
  } };
  C.value = { options: function (d) { return histogram(d.value || [], primary); } };
  C.revenue = { options: function (d) { return histogram(d.revenue || [], '#7a5af8'); } };

  // ---- The journey map ---------------------------------------------------------

  // mix goes from green (0) through amber to red (1); cx colours run the
  // other way (good answers green).
  function mix(t) {
    t = Math.max(0, Math.min(1, t));
    var stops = [[23, 178, 106], [247, 144, 9], [217, 45, 32]];
    var seg = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    var a = stops[seg], b = stops[seg + 1];
    return 'rgb(' + a.map(function (x, i) { return Math.round(x + (b[i] - x) * u); }).join(',') + ')';
  }

  // Each measure's range: the low end is red, the high end green.
  var measures = {
    nps: { lo: -50, hi: 50, label: 'NPS', field: 'nps', count: 'nps_responses', show: function (v) { return (v > 0 ? '+' : '') + Math.round(v); } },
    csat: { lo: 50, hi: 90, label: 'CSAT', field: 'csat', count: 'csat_responses', show: function (v) { return Math.round(v) + '%'; } },
    ces: { lo: 3, hi: 6, label: 'CES', field: 'ces', count: 'ces_responses', show: function (v) { return v.toFixed(1); } },
    score: { lo: 50, hi: 90, label: 'Score', field: 'score', count: 'responses', show: function (v) { return Math.round(v) + '/100'; } },
  };
  var minAnswers = 5;

  function nodeColour(n, m) {
    var cx = n.cx;
    if (!cx || cx[m.field] == null || (cx[m.count] || 0) < minAnswers) return null;
    return mix(1 - (cx[m.field] - m.lo) / (m.hi - m.lo));
  }
  function luminance(rgb) {
    var p = /rgb\((\d+),(\d+),(\d+)\)/.exec(rgb);
    if (!p) return 1;
    return (0.299 * p[1] + 0.587 * p[2] + 0.114 * p[3]) / 255;
  }

  function nodeTip(n) {
    if (n.start) return 'Start\n' + num(n.count) + ' customers began their journey';
    var out = [n.label, num(n.profiles) + ' customers · ' + num(n.count) + ' times'];
    out.push('Started here ' + num(n.starts) + ' · left here ' + num(n.exits) + ' (' + pct(n.drop_off) + ')');
    if (n.repeat_profiles) out.push('Did it again: ' + num(n.repeat_profiles) + ' customers (+' + num(n.rework) + ' times)');
    var cx = n.cx;
    if (cx) {
      var parts = [];
      if (cx.nps != null) parts.push('NPS ' + measures.nps.show(cx.nps) + ' (' + num(cx.nps_responses) + ')');
      if (cx.csat != null) parts.push('CSAT ' + measures.csat.show(cx.csat) + ' (' + num(cx.csat_responses) + ')');
      if (cx.ces != null) parts.push('CES ' + measures.ces.show(cx.ces) + ' (' + num(cx.ces_responses) + ')');
      if (parts.length) out.push('Answers right after: ' + parts.join(' · '));
    }
    var s = n.sentiment;
    if (s && typeof s === 'object') {
      var kv = Object.keys(s).filter(function (k) { return typeof s[k] === 'number' || typeof s[k] === 'string'; })
        .map(function (k) { return k + ' ' + (typeof s[k] === 'number' && Math.abs(s[k]) < 1 && s[k] !== 0 ? s[k].toFixed(2) : s[k]); });
      if (kv.length) out.push('Sentiment: ' + kv.join(' · '));
    }
    return out.join('\n');
  }
  function edgeTip(e, labels) {
    var out = [labels[e.from] + ' → ' + labels[e.to]];
    if (e.start) return out.concat([num(e.count) + ' customers began here']).join('\n');
    out.push(num(e.count) + ' times, by ' + num(e.profiles) + ' customers');
    out.push('Median ' + dur(e.median_seconds) + ' · 90% within ' + dur(e.p90_seconds));
    if (e.back) out.push('Goes back: a loop or rework');
    return out.join('\n');
  }

  var MARGIN = 36;
  // extent is the drawing's horizontal extent: box centres give x, the
  // start is a small circle.
  function extent(g) {
    var lo = Infinity, hi = -Infinity;
    g.nodes.forEach(function (n) {
      var hw = n.start ? 16 : g.node_width / 2;
      lo = Math.min(lo, n.x - hw);
      hi = Math.max(hi, n.x + hw);
    });
    return isFinite(lo) ? [lo, hi] : [0, 0];
  }
  C.journey = { prepare: function (el, data) {
    var g = data.journey;
    var x = extent(g);
    // Exactly the drawing's size: the graph series maps the drawing's box
    // onto the element on each axis separately, so any other size would
    // stretch the edges away from the boxes, whose size is in pixels.
    el.style.width = (x[1] - x[0] + 2 * MARGIN) + 'px';
    el.style.height = (g.height + 2 * MARGIN) + 'px';
  }, options: function (data) {
    var g = data.journey;
    var m = measures[g.measure] || measures.score;
    var NW = g.node_width, NH = g.node_height;
    var labels = {}, byId = {};
    g.nodes.forEach(function (n) { labels[n.id] = n.label; byId[n.id] = n; });
    // Two invisible corners make the chart's box the drawing's box, so a
    // flat map (every node on one line) is not stretched, and the drawing
    // is at its natural size in an element sized by prepare.
    var corner = { name: '', symbol: 'none', symbolSize: 0, label: { show: false }, tooltip: { show: false } };
    var ext = extent(g);
    var nodes = [Object.assign({ id: '\u0000tl', x: ext[0], y: 0 }, corner),
      Object.assign({ id: '\u0000br', x: ext[1], y: g.height }, corner)];
    var links = [];
    g.nodes.forEach(function (n) {
      if (n.start) {
        nodes.push({ id: n.id, name: 'Start', x: n.x, y: n.y, symbol: 'circle', symbolSize: 30, info: n,
          itemStyle: { color: '#141a26' }, label: { show: true, position: 'inside', color: '#fff', fontSize: 10, fontWeight: 700, formatter: 'Start' } });
        return;
      }
      var fill = nodeColour(n, m);
      var dark = fill && luminance(fill) < 0.62;
      var again = n.profiles > 0 ? n.repeat_profiles / n.profiles : 0;
      var sub = '{s|' + compact(n.profiles) + (n.drop_off >= 0.01 || again >= 0.2 ? '' : ' customers') + '}' +
        (n.drop_off >= 0.01 ? '{d| ↘' + pct(n.drop_off) + '}' : '') + (again >= 0.2 ? '{r| ↻' + pct(again) + '}' : '');
      nodes.push({ id: n.id, name: n.label, x: n.x, y: n.y, symbol: 'roundRect', symbolSize: [NW, NH], info: n,
        itemStyle: { color: fill || '#f2f4f7', borderColor: fill ? 'rgba(0,0,0,.14)' : '#c7ccd6', borderWidth: 1, shadowBlur: 4, shadowColor: 'rgba(16,24,40,.12)', shadowOffsetY: 1 },
        label: { show: true, position: 'inside', formatter: '{t|' + plain(cut(n.label, 22)) + '}\n' + sub,
          rich: { t: { fontSize: 12, fontWeight: 600, color: dark ? '#fff' : '#141a26', lineHeight: 17 },
            s: { fontSize: 10.5, color: dark ? 'rgba(255,255,255,.9)' : '#475467', lineHeight: 14 },
            d: { fontSize: 10.5, fontWeight: 600, color: dark ? '#fff' : red, lineHeight: 14 },
            r: { fontSize: 10.5, fontWeight: 600, color: dark ? '#fff' : amber, lineHeight: 14 } } } });
    });
    // Edges run from a port on the side of one box to a port on the side
    // of the next, through the bends the layout left for them; the ports
    // of a side are spread by where their edges come from, so arrows do
    // not pile up on one point.
    var max = Math.max(1, g.max_edge);
    var width = function (c) { return 1.2 + 9 * Math.sqrt(c / max); };
    var reverse = {};
    g.edges.forEach(function (e) { reverse[e.from + '\u0000' + e.to] = true; });
    var ends = g.edges.map(function (e) {
      var a = byId[e.from], b = byId[e.to];
      var fwd = b.x > a.x;
      var aw = a.start ? 15 : NW / 2, bw = b.start ? 15 : NW / 2;
      var first = e.bends.length ? e.bends[0] : b, last = e.bends.length ? e.bends[e.bends.length - 1] : a;
      return { e: e, out: { node: a, side: fwd ? 1 : -1, x: a.x + (fwd ? aw : -aw), toward: first.y },
        in: { node: b, side: fwd ? -1 : 1, x: b.x + (fwd ? -bw : bw), toward: last.y } };
    });
    var sides = {};
    ends.forEach(function (p) {
      [p.out, p.in].forEach(function (port) {
        var k = port.node.id + '\u0000' + port.side;
        (sides[k] = sides[k] || []).push(port);
      });
    });
    Object.keys(sides).forEach(function (k) {
      var ports = sides[k].sort(function (a, b) { return a.toward - b.toward; });
      var span = ports[0].node.start ? 0 : NH * 0.6;
      ports.forEach(function (p, i) { p.y = p.node.y + (ports.length > 1 ? -span / 2 + span * i / (ports.length - 1) : 0); });
    });
    ends.forEach(function (p, i) {
      var e = p.e;
      var pts = [{ x: p.out.x, y: p.out.y }].concat(e.bends).concat([{ x: p.in.x, y: p.in.y }]);
      var ids = pts.map(function (pt, j) {
        var id = '\u0000' + i + ':' + j;
        nodes.push({ id: id, name: '', x: pt.x, y: pt.y, symbol: 'none', symbolSize: 0, label: { show: false }, tooltip: { show: false } });
        return id;
      });
      var w = width(e.count) * (e.back || e.start ? 0.7 : 1);
      var color = e.start ? '#b9c0cc' : e.back ? amber : g.designed ? (e.designed ? green : '#d0d5dd') : '#8c95a6';
      var curved = !e.bends.length && reverse[e.to + '\u0000' + e.from];
      for (var j = 0; j + 1 < ids.length; j++) {
        var lastSeg = j + 2 === ids.length;
        links.push({ source: ids[j], target: ids[j + 1], info: e,
          symbol: ['none', lastSeg ? 'arrow' : 'none'], symbolSize: [0, Math.max(7, w * 1.6)],
          lineStyle: { width: w, color: color, opacity: e.back ? 0.55 : 0.8, type: e.back || e.start ? 'dashed' : 'solid', curveness: curved ? 0.18 : 0 } });
      }
    });
    return {
      animation: false,
      tooltip: tooltip({ trigger: 'item', formatter: function (p) {
        var info = p.data && p.data.info;
        if (!info) return '';
        return p.dataType === 'edge' ? edgeTip(info, labels) : nodeTip(info);
      } }),
      series: [{ type: 'graph', layout: 'none', roam: false, left: MARGIN, right: MARGIN, top: MARGIN, bottom: MARGIN,
        edgeSymbol: ['none', 'arrow'], z: 2, emphasis: { scale: false, lineStyle: { opacity: 1 } },
        data: nodes, links: links }],
    };
  } };

  // Legend labels follow the measure.
  function legend() {
    var src = document.getElementById('chart-data');
    var box = document.querySelector('[data-legend]');
    if (!src || !box) return;
    var g = JSON.parse(src.textContent).journey;
    if (!g) return;
    var m = measures[g.measure] || measures.score;
    box.querySelector('[data-legend-lo]').textContent = m.show(m.lo) + ' or less';
    box.querySelector('[data-legend-hi]').textContent = m.show(m.hi) + ' or more';
  }

  // ---- Forms ---------------------------------------------------------------------

  function funnelBuilder(form) {
    var list = form.querySelector('[data-steps]');
    var stepT = document.getElementById('step-template');
    var filterT = document.getElementById('filter-template');
    var keys = {}; // activity → property keys

    function renumber() {
      list.querySelectorAll('[data-step]').forEach(function (step, i) {
        step.querySelectorAll('input[name=wstep]').forEach(function (inp) { inp.value = i; });
        var dl = step.querySelector('datalist');
        if (!dl) {
          dl = document.createElement('datalist');
          step.appendChild(dl);
        }
        dl.id = 'step-keys-' + i;
        step.querySelectorAll('[data-field]').forEach(function (inp) { inp.setAttribute('list', dl.id); });
      });
      var n = list.querySelectorAll('[data-step]').length;
      list.querySelectorAll('[data-remove-step]').forEach(function (b) { b.hidden = n <= 1; });
    }
    function fillKeys(step) {
      var act = step.querySelector('[data-activity]').value;
      var dl = step.querySelector('datalist');
      var apply = function (props) {
        dl.textContent = '';
        ['channel'].concat(props.map(function (p) { return p.key; })).forEach(function (k) {
          var o = document.createElement('option');
          o.value = k;
          dl.appendChild(o);
        });
        if (step === list.querySelector('[data-step]')) {
          var by = document.getElementById('funnel-keys');
          by.textContent = '';
          props.forEach(function (p) {
            var o = document.createElement('option');
            o.value = p.key.replace(/^properties\./, '');
            by.appendChild(o);
          });
        }
      };
      if (!act) { apply([]); return; }
      if (keys[act]) { apply(keys[act]); return; }
      window.Touchpoint.api('GET', '/api/v1/analytics/properties?activity=' + encodeURIComponent(act)).then(function (r) {
        keys[act] = r.properties || [];
        apply(keys[act]);
      }, function () { /* suggestions are a convenience: typing still works */ });
    }
    form.addEventListener('click', function (e) {
      var t = e.target.closest('button');
      if (!t) return;
      if (t.matches('[data-add-step]')) {
        list.appendChild(stepT.content.cloneNode(true));
        renumber();
        var steps = list.querySelectorAll('[data-step]');
        steps[steps.length - 1].querySelector('select').focus();
      } else if (t.matches('[data-remove-step]')) {
        t.closest('[data-step]').remove();
        renumber();
      } else if (t.matches('[data-add-filter]')) {
        var step = t.closest('[data-step]');
        step.querySelector('[data-where]').appendChild(filterT.content.cloneNode(true));
        renumber();
        fillKeys(step);
        var fields = step.querySelectorAll('[data-field]');
        fields[fields.length - 1].focus();
      } else if (t.matches('[data-remove-filter]')) {
        t.closest('[data-filter]').remove();
      }
    });
    form.addEventListener('change', function (e) {
      if (e.target.matches('[data-activity]')) fillKeys(e.target.closest('[data-step]'));
    });
    form.addEventListener('submit', renumber);
    renumber();
    list.querySelectorAll('[data-step]').forEach(function (s) { if (s.querySelector('[data-filter]') || s === list.firstElementChild) fillKeys(s); });
  }

  // toggle shows a field only when a select asks for it.
  function toggle(form, selectSel, fieldSel, show) {
    var sel = form.querySelector(selectSel), field = form.querySelector(fieldSel);
    if (!sel || !field) return;
    var apply = function () { field.hidden = !show(sel.value); };
    sel.addEventListener('change', apply);
    apply();
  }

  function busy(form) {
    form.addEventListener('submit', function () {
      form.setAttribute('aria-busy', 'true');
      var r = document.querySelector('[data-results]');
      if (r) r.setAttribute('aria-busy', 'true');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form[data-funnel]').forEach(funnelBuilder);
    document.querySelectorAll('form.builder').forEach(function (f) {
      busy(f);
      toggle(f, '[data-breakdown]', '[data-breakdown-key]', function (v) { return v === 'trait' || v === 'property'; });
      toggle(f, '[data-cohort]', '[data-cohort-trait]', function (v) { return v === 'trait'; });
    });
    document.querySelectorAll('input[type=range][data-autosubmit-range]').forEach(function (r) {
      var out = r.form.querySelector('output[data-for="' + r.name + '"]');
      var show = function () { if (out) out.textContent = r.value === '0' && r.dataset.zero ? r.dataset.zero : r.value; };
      r.addEventListener('input', show);
      r.addEventListener('change', function () { r.form.requestSubmit(); });
    });
    document.querySelectorAll('input[data-autosubmit-radio]').forEach(function (r) {
      r.addEventListener('change', function () { r.form.requestSubmit(); });
    });
    document.querySelectorAll('[data-fill]').forEach(function (b) {
      b.addEventListener('click', function () {
        var src = document.querySelector(b.dataset.fill), dst = document.querySelector(b.dataset.into);
        if (src && dst) { dst.value = src.value || src.textContent; dst.focus(); }
      });
    });
    document.querySelectorAll('[data-design]').forEach(function (b) {
      b.addEventListener('click', function () {
        var ta = document.querySelector('[data-designed]');
        if (!ta) return;
        ta.value = b.dataset.design;
        ta.closest('details').open = true;
        ta.form.requestSubmit();
      });
    });
    legend();
  });
})();
