// Touchpoint survey builder. The survey being edited lives in one object,
// `S`, shaped exactly like the API's survey; every field of the form is
// bound to a path in it ("questions[1].text", "widget.delay_seconds"),
// which is also how the API names a bad field, so an error lands next to
// the field it is about.
//
// As you edit, the draft goes to POST /api/v1/surveys/preview, which
// validates it and resolves its texts; when it is valid the builder posts
// it into two sandboxed iframes (the hosted page and the email block),
// rendered by the server with the survey page's own templates and
// security policy. Everything a person typed is put in the page with
// textContent or as a value, never as HTML.
(function () {
  'use strict';

  var D, S, isNew, lang, view = 'page', step = '', trLang = '', seq = 0, timer = null, lastGood = false;
  var root;

  // ---- Small helpers -----------------------------------------------------

  function $(sel, el) { return (el || root).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || root).querySelectorAll(sel)); }

  // h builds an element: attributes are set as attributes (or properties
  // for value/checked), children are elements or text.
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else if (k === 'text') el.textContent = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  // Paths: "questions[1].show_if.min" → ['questions', 1, 'show_if', 'min'].
  function parts(path) {
    var out = [];
    path.replace(/([^.[\]]+)|\[(\d+)\]/g, function (_, name, idx) { out.push(idx !== undefined ? +idx : name); });
    return out;
  }
  function getPath(obj, path) {
    return parts(path).reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
  }
  function setPath(obj, path, v) {
    var ps = parts(path), o = obj;
    for (var i = 0; i < ps.length - 1; i++) {
      if (o[ps[i]] == null) o[ps[i]] = typeof ps[i + 1] === 'number' ? [] : {};
      o = o[ps[i]];
    }
    var last = ps[ps.length - 1];
    if (v === undefined) delete o[last]; else o[last] = v;
  }

  function langInfo(code) {
    for (var i = 0; i < D.languages.length; i++) if (D.languages[i].code === code) return D.languages[i];
    var base = code.split('-')[0].toLowerCase();
    return { code: code, name: code, dir: D.rtl.indexOf(base) >= 0 ? 'rtl' : 'ltr', builtin: false };
  }

  var scales = { nps: [0, 10], csat: [1, 5], product_satisfaction: [1, 5], ces: [1, 7] };
  function scaleOf(q) {
    if (q.type === 'rating') return [1, q.max || 5];
    return scales[q.type] || null;
  }
  function isChoice(t) { return t === 'single_choice' || t === 'multiple_choice'; }
  var typeLabels = { nps: 'NPS 0–10', csat: 'CSAT 1–5', ces: 'CES 1–7', product_satisfaction: 'Product satisfaction 1–5',
    rating: 'Rating', text: 'Open text', single_choice: 'Single choice', multiple_choice: 'Multiple choice' };

  // ---- Kinds and their starting questions --------------------------------

  function starter(kind) {
    switch (kind) {
      case 'nps': case 'csat': case 'ces': case 'product_satisfaction':
        return [{ id: 'score', type: kind, required: true }, { id: 'reason', type: 'text' }];
      case 'rating':
        return [{ id: 'score', type: 'rating', required: true, max: 5, text: 'How would you rate your experience?' }, { id: 'reason', type: 'text' }];
      case 'text':
        return [{ id: 'comment', type: 'text', required: true, text: 'What could we do better?' }];
      case 'single_choice':
        return [{ id: 'choice', type: 'single_choice', required: true, text: 'What brought you here today?',
          choices: [{ id: 'buy', text: 'To buy something' }, { id: 'help', text: 'To get help' }, { id: 'browse', text: 'Just looking' }] },
          { id: 'reason', type: 'text', text: 'Anything else you would like to tell us?' }];
      case 'multiple_choice':
        return [{ id: 'used', type: 'multiple_choice', required: true, text: 'Which of these did you use?',
          choices: [{ id: 'website', text: 'Website' }, { id: 'app', text: 'App' }, { id: 'store', text: 'A store' }] }];
    }
    return [];
  }

  function currentKind() {
    var q = S.questions[0];
    return q ? q.type : '';
  }

  function renderKinds() {
    var box = $('[data-kinds]');
    box.textContent = '';
    D.kinds.forEach(function (k) {
      var on = currentKind() === k.question;
      box.appendChild(h('button', { type: 'button', 'class': 'kind' + (on ? ' active' : ''), role: 'radio', 'aria-checked': on ? 'true' : 'false',
        'data-kind': k.question, onclick: function () { pickKind(k.question); } }, [h('strong', { text: k.label }), h('small', { text: k.description })]));
    });
  }

  function pickKind(kind) {
    if (currentKind() === kind) return;
    var touched = S.questions.some(function (q) { return q.text; }) || Object.keys(S.translations || {}).length > 0;
    if (!isNew || touched) {
      if (!confirm('Start again with the standard questions of this kind? The questions you wrote are replaced.')) return;
    }
    S.questions = starter(kind);
    S.translations = {};
    step = '';
    renderAll();
    changed();
  }

  // ---- Questions -----------------------------------------------------------

  function uniqueID(prefix, taken) {
    for (var n = 1; ; n++) {
      var id = prefix + n;
      if (taken.indexOf(id) < 0) return id;
    }
  }

  function builtinText(q, l) {
    var b = (D.builtin[l || S.language] || {})[q.type];
    return b || null;
  }

  function field(label, input, hint) {
    return h('label', {}, [label, hint ? h('small', { 'class': 'muted', text: hint }) : null, input]);
  }

  function bound(tag, path, attrs) {
    attrs = attrs || {};
    attrs['data-path'] = path;
    attrs['data-q'] = path;
    var v = getPath(S, path);
    if (tag === 'input' && attrs.type === 'checkbox') attrs.checked = !!v;
    else attrs.value = v === undefined || v === null ? '' : v;
    return h(tag, attrs, []);
  }

  function questionCard(q, i) {
    var p = 'questions[' + i + ']';
    var first = i === 0;
    var li = h('li', { 'class': 'question card-inner', 'data-index': i });
    var typeSel = h('select', { 'aria-label': 'Question type', 'data-path': p + '.type' }, Object.keys(typeLabels).map(function (t) {
      return h('option', { value: t, text: typeLabels[t] }, []);
    }));
    typeSel.value = q.type;
    typeSel.addEventListener('change', function () { changeType(i, typeSel.value); });
    var head = h('div', { 'class': 'q-head' }, [
      h('span', { 'class': 'q-num', text: String(i + 1) }), typeSel,
      h('label', { 'class': 'check' }, [bound('input', p + '.required', { type: 'checkbox', 'data-kind': 'bool' }), ' required']),
      h('span', { 'class': 'q-tools' }, [
        h('button', { type: 'button', 'class': 'icon-btn', title: 'Move up', 'aria-label': 'Move question ' + (i + 1) + ' up', disabled: i === 0, onclick: function () { move(i, -1); } }, ['↑']),
        h('button', { type: 'button', 'class': 'icon-btn', title: 'Move down', 'aria-label': 'Move question ' + (i + 1) + ' down', disabled: i === S.questions.length - 1, onclick: function () { move(i, 1); } }, ['↓']),
        h('button', { type: 'button', 'class': 'icon-btn danger', title: 'Remove', 'aria-label': 'Remove question ' + (i + 1), disabled: S.questions.length === 1, onclick: function () { removeQ(i); } }, ['×']),
      ]),
    ]);
    li.appendChild(head);
    var bt = builtinText(q);
    var dir = langInfo(S.language).dir;
    li.appendChild(field('Question', bound('input', p + '.text', { type: 'text', maxlength: 2000, dir: dir, 'data-question-text': '',
      placeholder: bt ? bt.text : 'Write the question' }), bt ? 'leave empty for the built-in text, translated into every language' : null));
    var sc = scaleOf(q);
    if (sc) {
      var row = h('div', { 'class': 'form-row2' }, [
        field('Low end (' + sc[0] + ')', bound('input', p + '.min_label', { type: 'text', dir: dir, placeholder: bt && bt.min_label || 'e.g. Not at all' })),
        field('High end (' + sc[1] + ')', bound('input', p + '.max_label', { type: 'text', dir: dir, placeholder: bt && bt.max_label || 'e.g. Very much' })),
      ]);
      li.appendChild(row);
      if (q.type === 'rating') {
        var maxSel = h('select', { 'data-path': p + '.max', 'data-q': p + '.max', 'data-kind': 'int' }, [3, 4, 5, 6, 7, 8, 9, 10].map(function (n) {
          return h('option', { value: String(n), text: n + ' points' }, []);
        }));
        maxSel.value = String(q.max || 5);
        maxSel.addEventListener('change', function () { q.max = +maxSel.value; renderQuestions(); renderStep(); changed(); });
        li.appendChild(field('Scale', maxSel));
      }
    }
    if (isChoice(q.type)) li.appendChild(choicesEditor(q, i));
    if (!first) li.appendChild(conditionEditor(q, i));
    li.appendChild(h('details', { 'class': 'q-advanced' }, [h('summary', { text: 'Question id' }),
      field('Id', bound('input', p + '.id', { type: 'text', 'class': 'mono', maxlength: 40, 'data-id-of': i }),
        'names the question in answers and exports; keep it once the survey has answers')]));
    return li;
  }

  function choicesEditor(q, i) {
    var p = 'questions[' + i + ']';
    q.choices = q.choices || [];
    var box = h('div', { 'class': 'choices-edit', 'data-path': p + '.choices' }, [h('span', { 'class': 'label', text: 'Choices' })]);
    q.choices.forEach(function (c, j) {
      var cp = p + '.choices[' + j + ']';
      box.appendChild(h('div', { 'class': 'choice-row' }, [
        bound('input', cp + '.text', { type: 'text', maxlength: 500, 'aria-label': 'Choice ' + (j + 1), dir: langInfo(S.language).dir }),
        bound('input', cp + '.id', { type: 'text', 'class': 'mono choice-id', maxlength: 40, 'aria-label': 'Id of choice ' + (j + 1) }),
        h('button', { type: 'button', 'class': 'icon-btn danger', 'aria-label': 'Remove choice ' + (j + 1), disabled: q.choices.length <= 2,
          onclick: function () { q.choices.splice(j, 1); renderQuestions(); changed(); } }, ['×']),
      ]));
    });
    box.appendChild(h('button', { type: 'button', 'class': 'btn btn-small', onclick: function () {
      q.choices.push({ id: uniqueID('choice_', q.choices.map(function (c) { return c.id; })), text: '' });
      renderQuestions();
      changed();
      var inputs = $$('[data-path="' + p + '.choices[' + (q.choices.length - 1) + '].text"]');
      if (inputs[0]) inputs[0].focus();
    } }, ['+ Choice']));
    return box;
  }

  // The condition editor writes show_if: ask the question only when an
  // earlier scored answer is in a range, or an earlier choice was picked.
  function conditionEditor(q, i) {
    var p = 'questions[' + i + '].show_if';
    var earlier = S.questions.slice(0, i).filter(function (e) { return scaleOf(e) || isChoice(e.type); });
    var box = h('div', { 'class': 'condition', 'data-path': p });
    var mode = h('select', { 'aria-label': 'When to ask' }, [h('option', { value: '', text: 'Always ask' }, [])].concat(earlier.map(function (e) {
      return h('option', { value: e.id, text: 'Only if question ' + (S.questions.indexOf(e) + 1) + ' (' + e.id + ')…' }, []);
    })));
    mode.value = q.show_if ? q.show_if.question : '';
    mode.addEventListener('change', function () {
      if (!mode.value) delete q.show_if;
      else {
        var src = S.questions.filter(function (e) { return e.id === mode.value; })[0];
        var sc = scaleOf(src);
        q.show_if = sc ? { question: src.id, min: sc[0], max: sc[1] } : { question: src.id, any: [src.choices[0].id] };
      }
      renderQuestions();
      changed();
    });
    box.appendChild(h('div', { 'class': 'cond-head' }, [h('span', { 'class': 'label', text: 'Ask' }), mode]));
    if (!earlier.length && !q.show_if) mode.disabled = true;
    if (q.show_if) {
      var src = S.questions.filter(function (e) { return e.id === q.show_if.question; })[0];
      if (src && scaleOf(src)) {
        var sc = scaleOf(src);
        box.appendChild(h('div', { 'class': 'cond-range' }, [
          'when the score is from ',
          bound('input', p + '.min', { type: 'number', min: sc[0], max: sc[1], 'data-kind': 'float', 'aria-label': 'Lowest score' }),
          ' to ',
          bound('input', p + '.max', { type: 'number', min: sc[0], max: sc[1], 'data-kind': 'float', 'aria-label': 'Highest score' }),
        ]));
      } else if (src && isChoice(src.type)) {
        var any = q.show_if.any || [];
        box.appendChild(h('div', { 'class': 'cond-any', 'data-path': p + '.any' }, ['when the answer includes '].concat((src.choices || []).map(function (c) {
          var cb = h('input', { type: 'checkbox', checked: any.indexOf(c.id) >= 0 });
          cb.addEventListener('change', function () {
            var set = (q.show_if.any || []).filter(function (x) { return x !== c.id; });
            if (cb.checked) set.push(c.id);
            q.show_if.any = set;
            changed();
          });
          return h('label', { 'class': 'check' }, [cb, ' ' + (c.text || c.id)]);
        }))));
      }
    }
    return box;
  }

  function changeType(i, t) {
    var q = S.questions[i];
    q.type = t;
    delete q.max;
    if (t === 'rating') q.max = 5;
    if (isChoice(t)) {
      if (!q.choices || q.choices.length < 2) q.choices = [{ id: 'choice_1', text: '' }, { id: 'choice_2', text: '' }];
    } else delete q.choices;
    if (!scaleOf(q)) { delete q.min_label; delete q.max_label; }
    // Conditions on this question may no longer fit its answers.
    S.questions.forEach(function (o) {
      if (o.show_if && o.show_if.question === q.id) delete o.show_if;
    });
    renderAll();
    changed();
  }

  function move(i, d) {
    var q = S.questions.splice(i, 1)[0];
    S.questions.splice(i + d, 0, q);
    renderQuestions();
    changed();
  }

  function removeQ(i) {
    var q = S.questions[i];
    if (!confirm('Remove question ' + (i + 1) + (q.text ? ' “' + q.text + '”' : '') + '?')) return;
    S.questions.splice(i, 1);
    S.questions.forEach(function (o) { if (o.show_if && o.show_if.question === q.id) delete o.show_if; });
    Object.keys(S.translations || {}).forEach(function (l) {
      if (S.translations[l].questions) delete S.translations[l].questions[q.id];
    });
    renderAll();
    changed();
  }

  function addQuestion(which) {
    var ids = S.questions.map(function (q) { return q.id; });
    var q = { id: uniqueID('q', ids), type: 'text' };
    var first = S.questions[0], sc = first && scaleOf(first);
    if (which !== 'question') {
      if (!sc) { tp.toast('Follow-ups by score need a scored first question (NPS, CSAT, CES, a rating).', true); return; }
      var lo = sc[0], hi = sc[1];
      var cut = first.type === 'nps' ? [6, 9] : [lo + Math.floor((hi - lo) / 2) - (hi - lo > 4 ? 1 : 0), hi - Math.floor((hi - lo) / 4)];
      if (which === 'low') {
        q.id = uniqueID('improve', ids);
        q.text = 'What could we do better?';
        q.show_if = { question: first.id, min: lo, max: cut[0] };
      } else {
        q.id = uniqueID('liked', ids);
        q.text = 'What did you like most?';
        q.show_if = { question: first.id, min: cut[1], max: hi };
      }
    }
    // A follow-up goes right after the question it follows (and its other
    // follow-ups), so it is asked next; other questions go last.
    var at = S.questions.length;
    if (q.show_if) {
      at = 1;
      while (at < S.questions.length && S.questions[at].show_if && S.questions[at].show_if.question === first.id) at++;
    }
    S.questions.splice(at, 0, q);
    renderQuestions();
    renderStep();
    changed();
    var input = $$('[data-question-text]')[at];
    if (input) input.focus();
  }

  function renderQuestions() {
    var list = $('[data-questions]');
    list.textContent = '';
    S.questions.forEach(function (q, i) { list.appendChild(questionCard(q, i)); });
    var sc = S.questions[0] && scaleOf(S.questions[0]);
    $$('[data-add="low"], [data-add="high"]').forEach(function (b) { b.hidden = !sc; });
  }

  // ---- Translations ---------------------------------------------------------

  function trLangs() { return Object.keys(S.translations || {}).sort(); }

  function renderTranslations() {
    var chips = $('[data-tr-langs]');
    chips.textContent = '';
    var langs = trLangs();
    if (trLang && langs.indexOf(trLang) < 0) trLang = '';
    if (!trLang && langs.length) trLang = langs[0];
    langs.forEach(function (l) {
      var info = langInfo(l);
      chips.appendChild(h('button', { type: 'button', role: 'tab', 'class': 'chip' + (l === trLang ? ' active' : ''), 'data-tr-lang': l,
        'aria-selected': l === trLang ? 'true' : 'false', onclick: function () { trLang = l; lang = l; renderTranslations(); changed(); } },
        [info.name + ' (' + l + ')']));
    });
    var add = $('[data-add-lang]');
    add.textContent = '';
    add.appendChild(h('option', { value: '', text: 'choose…' }, []));
    D.languages.forEach(function (l) {
      if (l.code === S.language || langs.indexOf(l.code) >= 0) return;
      add.appendChild(h('option', { value: l.code, text: l.name + ' (' + l.code + ')' + (l.dir === 'rtl' ? ', right to left' : '') }, []));
    });
    var note = $('[data-tr-note]');
    var builtinOnly = S.questions.every(function (q) { return !q.text && !(q.choices || []).length && builtinText(q, 'en'); });
    note.textContent = builtinOnly
      ? 'The standard questions are already in English, Vietnamese, Thai and Persian: translate only your own words (title, thank-you), or add another language.'
      : 'Questions you wrote yourself need a translation in each language you add; left empty, a standard question keeps its built-in text.';
    var box = $('[data-tr-fields]');
    box.textContent = '';
    if (!trLang) {
      box.appendChild(h('p', { 'class': 'muted', text: 'No translation yet. Add a language above; customers whose language the survey has are asked in it.' }));
      return;
    }
    var info = langInfo(trLang), dir = info.dir, base = 'translations.' + trLang;
    box.appendChild(h('div', { 'class': 'tr-head' }, [h('h3', { text: info.name + (dir === 'rtl' ? ' — written right to left' : '') }),
      h('button', { type: 'button', 'class': 'btn btn-small btn-danger', onclick: function () {
        if (!confirm('Remove the ' + info.name + ' translation?')) return;
        delete S.translations[trLang];
        trLang = '';
        if (lang !== S.language) lang = S.language;
        renderTranslations();
        changed();
      } }, ['Remove ' + info.name])]));
    function trInput(path, source, builtin, area) {
      var attrs = { type: 'text', dir: dir, lang: trLang, maxlength: 2000, 'data-tr': '' };
      attrs.placeholder = builtin ? builtin : source ? 'Translate: ' + source : '';
      return bound(area ? 'textarea' : 'input', path, attrs);
    }
    box.appendChild(field('Title', trInput(base + '.title', S.title, '')));
    S.questions.forEach(function (q, i) {
      var qp = base + '.questions.' + q.id;
      var bt = !q.text && builtinText(q, trLang);
      var fs = h('fieldset', { 'class': 'fieldset' }, [h('legend', { text: 'Question ' + (i + 1) + (q.text ? ': ' + q.text : bt ? ' (built-in text)' : '') })]);
      fs.appendChild(field('Question', trInput(qp + '.text', q.text, bt ? bt.text : '')));
      if (scaleOf(q) && (q.min_label || q.max_label || bt)) {
        fs.appendChild(h('div', { 'class': 'form-row2' }, [
          field('Low end', trInput(qp + '.min_label', q.min_label, bt ? bt.min_label : '')),
          field('High end', trInput(qp + '.max_label', q.max_label, bt ? bt.max_label : '')),
        ]));
      }
      (q.choices || []).forEach(function (c) {
        fs.appendChild(field('Choice “' + (c.text || c.id) + '”', trInput(qp + '.choices.' + c.id, c.text, '')));
      });
      box.appendChild(fs);
    });
    box.appendChild(field('Thank-you message', trInput(base + '.thank_you', S.thank_you, D.thank_you[trLang] || '', true)));
  }

  function addLanguage(code) {
    code = (code || '').trim();
    if (!code) return;
    if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(code)) { tp.toast('“' + code + '” is not a language code such as fa or pt-BR.', true); return; }
    S.translations = S.translations || {};
    if (!S.translations[code]) S.translations[code] = {};
    trLang = code;
    lang = code;
    renderTranslations();
    changed();
    var f = $('[data-tr]');
    if (f) f.focus();
  }

  // ---- Widget rules --------------------------------------------------------

  var ops = [['eq', 'is'], ['ne', 'is not'], ['in', 'is one of'], ['contains', 'contains'], ['exists', 'is set'], ['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤']];

  function renderTraits() {
    var box = $('[data-traits]');
    box.textContent = '';
    var rules = (S.widget && S.widget.traits) || [];
    rules.forEach(function (tc, i) {
      var p = 'widget.traits[' + i + ']';
      var op = h('select', { 'data-path': p + '.op', 'data-q': p + '.op', 'aria-label': 'Comparison' }, ops.map(function (o) { return h('option', { value: o[0], text: o[1] }, []); }));
      op.value = tc.op || 'eq';
      var val = h('input', { type: 'text', 'data-path': p + '.value', 'aria-label': 'Value', placeholder: 'pro', value: tc.value === undefined ? '' : typeof tc.value === 'string' ? tc.value : JSON.stringify(tc.value) });
      val.addEventListener('input', function () {
        var raw = val.value.trim();
        var v = raw;
        // Numbers, booleans and lists are compared as JSON; words as text.
        if (/^(-?\d+(\.\d+)?|true|false|\[.*\])$/.test(raw)) { try { v = JSON.parse(raw); } catch (e) { v = raw; } }
        if (raw === '') delete S.widget.traits[i].value; else S.widget.traits[i].value = v;
        changed();
      });
      box.appendChild(h('div', { 'class': 'trait-row' }, [
        bound('input', p + '.trait', { type: 'text', placeholder: 'plan', 'aria-label': 'Trait' }), op, val,
        h('button', { type: 'button', 'class': 'icon-btn danger', 'aria-label': 'Remove rule', onclick: function () {
          S.widget.traits.splice(i, 1); renderTraits(); changed();
        } }, ['×']),
      ]));
    });
  }

  function renderSnippet() {
    var sel = $('[data-snippet-source]');
    var pre = $('[data-snippet]');
    if (!D.sources.length) {
      sel.disabled = true;
      sel.appendChild(h('option', { text: 'no source yet' }, []));
      pre.textContent = 'Create a website source first (Data → Sources): the widget sends answers with its write key.';
      return;
    }
    if (!sel.options.length) D.sources.forEach(function (s, i) { sel.appendChild(h('option', { value: String(i), text: s.name + ' (' + s.type + ')' }, [])); });
    var s = D.sources[+sel.value || 0];
    pre.textContent = '<script async src="' + D.base + '/survey/v1/widget.js"\n        data-write-key="' + s.write_key + '"></script>';
  }

  function renderWidgetState() {
    $('[data-widget-off]').hidden = !!(S.widget && S.widget.enabled);
  }

  // ---- Binding -------------------------------------------------------------

  function readInput(el) {
    var kind = el.dataset.kind, v = el.value;
    if (kind === 'bool') return el.checked;
    if (kind === 'int' || kind === 'float') {
      if (v.trim() === '') return undefined;
      var n = kind === 'int' ? parseInt(v, 10) : parseFloat(v);
      return isNaN(n) ? v : n;
    }
    if (kind === 'lines') {
      var lines = v.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
      return lines.length ? lines : undefined;
    }
    return v === '' ? undefined : v;
  }

  function writeInput(el, v) {
    // A select without a value keeps its first choice, the default.
    if (el.tagName === 'SELECT' && (v === undefined || v === null)) return;
    if (el.dataset.kind === 'bool') el.checked = !!v;
    else if (el.dataset.kind === 'lines') el.value = (v || []).join('\n');
    else el.value = v === undefined || v === null ? '' : v;
  }

  function onInput(e) {
    var el = e.target;
    var path = el.dataset.bind || el.dataset.q;
    if (!path) return;
    var v = readInput(el);
    if (path.indexOf('widget.') === 0 && !S.widget) S.widget = { enabled: false };
    // A translation's empty fields are dropped, so a half-done translation
    // says exactly which texts are missing.
    setPath(S, path, v);
    if (path === 'language') { renderQuestions(); renderTranslations(); lang = v; }
    if (path === 'widget.enabled') renderWidgetState();
    if (el.dataset.idOf !== undefined) renameQuestion(+el.dataset.idOf, v);
    if (/\.(type|max)$/.test(path) || path === 'language') renderStep();
    changed();
  }

  // renameQuestion keeps conditions and translations pointing at a
  // question whose id changes.
  var oldIDs = {};
  function renameQuestion(i, id) {
    var was = oldIDs[i];
    if (!was || !id || was === id) { oldIDs[i] = id; return; }
    S.questions.forEach(function (o) { if (o.show_if && o.show_if.question === was) o.show_if.question = id; });
    Object.keys(S.translations || {}).forEach(function (l) {
      var qs = S.translations[l].questions;
      if (qs && qs[was]) { qs[id] = qs[was]; delete qs[was]; }
    });
    oldIDs[i] = id;
  }

  // ---- Preview -------------------------------------------------------------

  // payload is the survey as the API takes it: the type follows the first
  // question, and empty translations of a language are kept (they make
  // the language show, with what is missing named).
  function payload() {
    var out = clone(S);
    delete out.type;
    ['id', 'workspace', 'version', 'created_at', 'updated_at', 'languages'].forEach(function (k) { delete out[k]; });
    if (out.widget && !out.widget.enabled && Object.keys(out.widget).length === 1) out.widget = null;
    return out;
  }

  // answers turns the chosen step into answers that lead there: a first
  // answer (to see its follow-ups) or every question answered (the
  // thank-you page).
  function answers() {
    if (!step) return [];
    var first = S.questions[0];
    if (!first) return [];
    var firstAnswer = function (v) {
      if (scaleOf(first)) return { question_id: first.id, score: +v };
      if (isChoice(first.type)) return { question_id: first.id, choices: [v] };
      return { question_id: first.id, text: 'Preview' };
    };
    if (step.indexOf('a:') === 0) return [firstAnswer(step.slice(2))];
    // The thank-you page: answer each question that would be asked, each
    // scale at its top.
    var out = [];
    S.questions.forEach(function (q) {
      if (q.show_if) {
        var a = out.filter(function (x) { return x.question_id === q.show_if.question; })[0];
        if (!a) return;
        var c = q.show_if;
        var ok = c.any ? (a.choices || []).some(function (x) { return c.any.indexOf(x) >= 0; })
          : a.score !== undefined && (c.min == null || a.score >= c.min) && (c.max == null || a.score <= c.max);
        if (!ok) return;
      }
      var sc = scaleOf(q);
      if (sc) out.push({ question_id: q.id, score: sc[1] });
      else if (isChoice(q.type)) out.push({ question_id: q.id, choices: [(q.choices[0] || {}).id] });
      else out.push({ question_id: q.id, text: 'Preview' });
    });
    return out;
  }

  function renderStep() {
    var sel = $('[data-preview-step]');
    var was = sel.value;
    sel.textContent = '';
    sel.appendChild(h('option', { value: '', text: 'the first question' }, []));
    var first = S.questions[0];
    var sc = first && scaleOf(first);
    if (sc) {
      for (var v = sc[0]; v <= sc[1]; v++) sel.appendChild(h('option', { value: 'a:' + v, text: 'after a score of ' + v }, []));
    } else if (first && isChoice(first.type)) {
      (first.choices || []).forEach(function (c) { if (c.id) sel.appendChild(h('option', { value: 'a:' + c.id, text: 'after “' + (c.text || c.id) + '”' }, [])); });
    }
    sel.appendChild(h('option', { value: 'done', text: 'the thank-you page' }, []));
    sel.value = was;
    if (sel.value !== was) sel.value = '';
    step = sel.value;
  }

  function renderLangChips(langs, shown) {
    var box = $('[data-preview-langs]');
    box.textContent = '';
    langs.forEach(function (l) {
      var info = langInfo(l);
      box.appendChild(h('button', { type: 'button', 'class': 'chip' + (l === shown ? ' active' : ''), 'data-preview-lang': l, 'aria-pressed': l === shown ? 'true' : 'false',
        title: info.name, onclick: function () { lang = l; if (S.translations && S.translations[l]) trLang = l; renderTranslations(); changed(); } }, [l]));
    });
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }

  // saved is the survey as last saved (or opened): leaving the page with
  // changes that differ from it asks first.
  var saved = '';
  window.addEventListener('beforeunload', function (e) {
    if (root && JSON.stringify(payload()) !== saved) { e.preventDefault(); e.returnValue = ''; }
  });

  function clearErrors() {
    $$('.field-error').forEach(function (e) { e.remove(); });
    $$('[aria-invalid="true"]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    $$('.tab.has-error').forEach(function (e) { e.classList.remove('has-error'); });
    var g = $('[data-general-error]');
    g.hidden = true;
  }

  // fieldFor finds the element an API field name is about, trying the
  // path, then its parents ("questions[2].show_if.max" → "…show_if").
  function fieldFor(path) {
    var p = path;
    while (p) {
      var el = root.querySelector('[data-path="' + CSS.escape(p) + '"]');
      if (el) return el;
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
    return null;
  }

  function showError(err, reveal) {
    var el = err.field ? fieldFor(err.field) : null;
    if (!el) {
      var g = $('[data-general-error]');
      g.textContent = err.message;
      g.hidden = false;
      return null;
    }
    el.setAttribute('aria-invalid', 'true');
    var msg = h('p', { 'class': 'field-error', role: 'alert', text: err.message });
    var label = el.closest('label');
    (label || el).insertAdjacentElement('afterend', msg);
    var panel = el.closest('[data-panel]');
    if (panel) {
      var tab = $('[data-tab="' + panel.dataset.panel + '"]');
      if (tab) {
        tab.classList.add('has-error');
        if (reveal && panel.hidden) tab.click();
      }
    }
    if (reveal) { el.scrollIntoView({ block: 'center' }); if (el.focus) el.focus(); }
    return el;
  }

  function preview() {
    var my = ++seq;
    var status = $('[data-preview-status]');
    var body = { survey: payload(), language: lang, answers: answers() };
    // A draft may have no name yet; the preview does not need one.
    if (!body.survey.name) body.survey.name = 'Untitled survey';
    tp.api('POST', '/api/v1/surveys/preview', body).then(function (res) {
      if (my !== seq) return;
      clearErrors();
      lastGood = true;
      var langs = res.languages.slice();
      trLangs().forEach(function (l) { if (langs.indexOf(l) < 0) langs.push(l); });
      renderLangChips(langs, res.language);
      var info = langInfo(res.language);
      var where = res.next ? 'question “' + res.next + '”' : 'the thank-you page';
      status.textContent = 'Showing ' + where + ' in ' + info.name + (res.dir === 'rtl' ? ', right to left' : '') + '.';
      $('[data-device]').dataset.dir = res.dir;
      $('[data-device]').classList.remove('stale');
      // Only the view on show is drawn; switching views draws the other.
      var f = document.querySelector('[data-preview-form="' + view + '"]');
      f.elements.survey.value = JSON.stringify(body.survey);
      f.elements.language.value = res.language;
      f.elements.answers.value = JSON.stringify(body.answers);
      f.submit();
    }, function (err) {
      if (my !== seq) return;
      clearErrors();
      var el = showError(err, false);
      $('[data-device]').classList.add('stale');
      status.textContent = '';
      status.appendChild(document.createTextNode('The preview waits for a fix: ' + err.message + ' '));
      if (el) {
        var panel = el.closest('[data-panel]');
        status.appendChild(h('button', { type: 'button', 'class': 'link-btn dark', onclick: function () {
          if (panel) { var t = $('[data-tab="' + panel.dataset.panel + '"]'); if (t) t.click(); }
          el.scrollIntoView({ block: 'center' });
          if (el.focus) el.focus();
        } }, ['Show the field']));
      }
    });
  }

  // ---- Save and invite -----------------------------------------------------

  function save(e) {
    e.preventDefault();
    var btn = $('[data-save]');
    btn.disabled = true;
    clearErrors();
    var req = isNew ? tp.api('POST', '/api/v1/surveys', payload()) : tp.api('PUT', '/api/v1/surveys/' + encodeURIComponent(S.id), payload());
    req.then(function (res) {
      btn.disabled = false;
      saved = JSON.stringify(payload());
      if (isNew) { location.href = '/surveys/' + encodeURIComponent(res.id) + '/edit?saved=1'; return; }
      S = clone(res);
      delete S.languages;
      saved = JSON.stringify(payload());
      tp.toast('Saved: version ' + res.version + '.');
      renderInvite();
    }, function (err) {
      btn.disabled = false;
      showError(err, true);
      tp.toast(err.message, true);
    });
  }

  var savedStatus = '';
  function renderInvite() {
    savedStatus = isNew ? '' : S.status;
    var btn = $('[data-invite]'), note = $('[data-invite-note]');
    var ok = !isNew && savedStatus === 'active';
    btn.disabled = !ok;
    $('[data-invite-customer]').disabled = !ok;
    note.textContent = isNew ? 'Save the survey, set it active, and make links here.'
      : ok ? 'Give a customer as user_id:…, email:…, anonymous_id:… or a profile id. The contact rules apply.'
        : 'The survey is ' + savedStatus + ': set it active and save to make links.';
  }

  function invite() {
    var input = $('[data-invite-customer]'), errBox = $('[data-invite-error]');
    errBox.hidden = true;
    var btn = $('[data-invite]');
    btn.disabled = true;
    tp.api('POST', '/api/v1/surveys/' + encodeURIComponent(S.id) + '/invitations', { customer: input.value.trim(), delivery: 'link' }).then(function (res) {
      btn.disabled = false;
      $('[data-invite-url]').textContent = res.url;
      $('[data-invite-open]').setAttribute('href', res.url);
      $('[data-invite-days]').textContent = String(S.link_days || 30);
      $('[data-invite-result]').hidden = false;
    }, function (err) {
      btn.disabled = false;
      errBox.textContent = err.message;
      errBox.hidden = false;
    });
  }

  // ---- Start ---------------------------------------------------------------

  function renderAll() {
    renderKinds();
    renderQuestions();
    renderTranslations();
    renderTraits();
    renderStep();
    renderWidgetState();
    var ty = $('[data-thank-you]');
    ty.placeholder = D.thank_you[S.language] || D.thank_you.en;
    ty.dir = langInfo(S.language).dir;
  }

  function start() {
    root = document.getElementById('builder');
    if (!root) return;
    D = JSON.parse(document.getElementById('builder-data').textContent);
    isNew = !D.survey;
    S = D.survey ? clone(D.survey) : { name: '', status: 'draft', language: 'en', questions: starter('nps'), translations: {},
      recontact: { retry_after_days: 14, max_asks: 3 }, link_days: 30 };
    S.translations = S.translations || {};
    lang = S.language;
    S.questions.forEach(function (q, i) { oldIDs[i] = q.id; });

    var langSel = $('[data-languages]');
    D.languages.forEach(function (l) { langSel.appendChild(h('option', { value: l.code, text: l.name + ' (' + l.code + ')' }, [])); });
    if (!D.languages.some(function (l) { return l.code === S.language; })) langSel.appendChild(h('option', { value: S.language, text: S.language }, []));
    $$('[data-bind]').forEach(function (el) { writeInput(el, getPath(S, el.dataset.bind)); });

    root.addEventListener('input', onInput);
    root.addEventListener('change', function (e) { if (e.target.matches('select, input[type=checkbox]')) onInput(e); });
    root.addEventListener('submit', save);
    $('[data-questions]').addEventListener('focusin', function (e) {
      if (e.target.dataset.idOf !== undefined) oldIDs[+e.target.dataset.idOf] = e.target.value;
    });
    $$('[data-add]').forEach(function (b) { b.addEventListener('click', function () { addQuestion(b.dataset.add); }); });
    $('[data-add-lang-go]').addEventListener('click', function () {
      addLanguage($('[data-add-lang]').value || $('[data-add-lang-code]').value);
      $('[data-add-lang-code]').value = '';
    });
    $('[data-add-lang]').addEventListener('change', function (e) { e.stopPropagation(); addLanguage(e.target.value); });
    $('[data-add-trait]').addEventListener('click', function () {
      S.widget = S.widget || { enabled: false };
      S.widget.traits = S.widget.traits || [];
      S.widget.traits.push({ trait: '', op: 'eq' });
      renderTraits();
      changed();
    });
    $('[data-snippet-source]').addEventListener('change', function (e) { e.stopPropagation(); renderSnippet(); });
    $('[data-preview-step]').addEventListener('change', function (e) { e.stopPropagation(); step = e.target.value; changed(); });
    $$('[data-view]').forEach(function (b) {
      b.addEventListener('click', function () {
        view = b.dataset.view;
        $$('[data-view]').forEach(function (x) { x.classList.toggle('active', x === b); });
        $$('[data-frame]').forEach(function (f) { f.hidden = f.dataset.frame !== view; });
        changed();
      });
    });
    $('[data-invite]').addEventListener('click', invite);
    $('[data-invite-customer]').addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); invite(); } });

    renderAll();
    renderSnippet();
    renderInvite();
    saved = JSON.stringify(payload());
    if (/[?&]saved=1/.test(location.search)) {
      tp.toast(S.status === 'active' ? 'Survey saved. It is live: make personal links or turn on the widget under Delivery.' : 'Survey saved. Set it active to send it.');
    }
    preview();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
