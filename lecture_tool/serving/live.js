/* `lecture serve` adds this to every page it serves (never to the built files): it follows the
   server's build epoch, updates the deck in place on the slide being shown, and shows problems.
   The server puts one line before it, `window.lectureServe = {follow, token}`.

   With `lecture serve --follow`, the window opened from the presenter link (`?presenter=TOKEN`,
   kept in sessionStorage and taken out of the address bar) drives: each slide or `--` step it
   shows is sent to the server, which tells every other window of the deck; those follow, may
   browse away, and go back with "Back to live".

   The interface the other page features use, `window.lectureLive`:
     role        'presenter' | 'follower' (follow mode) | 'local' (plain `lecture serve`)
     canSave     true for the presenter and for 'local' on loopback (the server handed the page
                 its token); false elsewhere
     broadcast(message)
                 presenter only (a no-op elsewhere): sends `{type: ..., ...}` (at most 256 KB as
                 JSON) to every other window of the deck, where it arrives as
                 window.dispatchEvent(new CustomEvent('lecture:broadcast', {detail: message}))
     saveAnnotations(stem, jsonText) -> Promise
                 PUT /__lecture__/annotations/<stem> with the token; resolves when saved, rejects
                 with an Error whose message is the server's answer
   Without the server (file://) this script is not on the page and there is no lectureLive. */
(function () {
  'use strict';
  var page = decodeURIComponent(location.pathname.split('/').pop()) || 'index.html';
  var epoch = null;
  var dismissed = null;

  function update(full) {
    if (full || !window.slideshow || !window.lecture) {
      location.reload();
      return;
    }
    fetch(location.pathname, {cache: 'no-store'}).then(function (response) {
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var source = JSON.parse(doc.getElementById('lecture-source').textContent);
      // What the copy buttons copy (copy_code.js reads it at each copy).
      var code = document.getElementById('lecture-code'), newCode = doc.getElementById('lecture-code');
      if (code && newCode) code.textContent = newCode.textContent;
      var index = window.slideshow.getCurrentSlideIndex();
      window.slideshow.loadFromString(source);
      // The slides' keys for their strokes (annotate.js): an edit may have moved or changed them.
      var keys = doc.getElementById('lecture-annotation-keys');
      if (keys && window.lectureAnnotate) window.lectureAnnotate.update(JSON.parse(keys.textContent));
      window.slideshow.gotoSlide(Math.min(index, window.slideshow.getSlideCount() - 1) + 1);
      index = window.slideshow.getCurrentSlideIndex();
      // The slide on screen (and the next, whose notes the presenter previews) first: KaTeX on
      // every slide of a long deck takes longer than the rest of the update, and would hold
      // back the frame that shows the edit. The others follow in the next task.
      var slides = document.querySelectorAll('.remark-slides-area .remark-slide-container');
      var first = [slides[index], slides[index + 1]].filter(Boolean);
      first.forEach(function (slide) { window.lecture.renderMath(slide); });
      if (window.lecture.renameHeadings) window.lecture.renameHeadings(document, window.lecture.headingIds(doc));
      refreshNotes(index);
      var shown = epoch;
      setTimeout(function () {
        for (var i = 0; i < slides.length; i++) {
          if (first.indexOf(slides[i]) < 0) window.lecture.renderMath(slides[i]);
        }
        var elsewhere = document.querySelectorAll('.remark-preview-area, .remark-notes-area');
        for (var j = 0; j < elsewhere.length; j++) window.lecture.renderMath(elsewhere[j]);
        document.documentElement.setAttribute('data-lecture-epoch', String(shown));
      }, 0);
    }).catch(function () {
      location.reload();
    });
  }

  // remark copies a slide's notes into the presenter view only when the slide changes.
  function refreshNotes(index) {
    var notes = document.querySelectorAll('.remark-slides-area .remark-slide-notes');
    var current = document.querySelector('.remark-notes');
    var preview = document.querySelector('.remark-notes-preview');
    if (current && notes[index]) current.innerHTML = notes[index].innerHTML;
    if (preview) preview.innerHTML = notes[index + 1] ? notes[index + 1].innerHTML : '';
  }

  function overlay(problems) {
    var box = document.getElementById('lecture-problems');
    var signature = problems.join('\n');
    if (!problems.length || signature === dismissed) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement('div');
      box.id = 'lecture-problems';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:fixed;z-index:100000;left:1em;right:1em;top:1em;max-height:45%;' +
        'overflow:auto;background:#fff8f0;color:#1d2433;border:2px solid #c8453a;border-radius:6px;' +
        'padding:0.6em 2.4em 0.6em 1em;font:14px/1.45 "DejaVu Sans Mono",monospace;' +
        'box-shadow:0 4px 18px rgba(0,0,0,.25);white-space:pre-wrap';
      document.body.appendChild(box);
    }
    box.textContent = '';
    var close = document.createElement('button');
    close.textContent = '×';
    close.title = 'Hide until the problems change';
    close.style.cssText = 'position:absolute;right:0.4em;top:0.2em;border:0;background:none;' +
      'font-size:20px;cursor:pointer';
    close.onclick = function () { dismissed = signature; box.remove(); };
    box.appendChild(close);
    problems.forEach(function (text) {
      var line = document.createElement('div');
      line.className = / error: /.test(text) ? 'lecture-error' : 'lecture-warning';
      line.style.color = / error: /.test(text) ? '#a3261b' : '#8a5a00';
      line.textContent = text;
      box.appendChild(line);
    });
  }

  var settings = window.lectureServe || {follow: false, token: null};
  var client = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var TOKEN_KEY = 'lecture-presenter-token';
  var token = settings.token;
  var role = 'local';
  if (settings.follow) {
    var query = new URLSearchParams(location.search);
    if (query.has('presenter')) {
      try { sessionStorage.setItem(TOKEN_KEY, query.get('presenter')); } catch (e) { /* private mode */ }
      query.delete('presenter');
      var rest = query.toString();
      history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
    }
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    role = token ? 'presenter' : 'follower';
  }

  function send(method, url, body) {
    return fetch(url, {method: method, body: body, cache: 'no-store',
                       headers: {'Content-Type': 'application/json', 'X-Lecture-Token': token || ''}})
      .then(function (response) {
        if (response.ok) return response;
        return response.text().then(function (text) { throw new Error(text.trim()); });
      });
  }

  window.lectureLive = {
    role: role,
    canSave: Boolean(token),
    broadcast: function (message) {
      if (role !== 'presenter') return;
      send('POST', '/__lecture__/broadcast',
           JSON.stringify({page: page, from: client, message: message})).catch(refused);
    },
    saveAnnotations: function (stem, jsonText) {
      if (!token) return Promise.reject(new Error('only the lecturer can save annotations'));
      return send('PUT', '/__lecture__/annotations/' + encodeURIComponent(stem), jsonText)
        .then(function () { return undefined; });
    }
  };

  function notice(text) {
    var box = document.getElementById('lecture-follow-notice');
    if (!box) {
      box = document.createElement('div');
      box.id = 'lecture-follow-notice';
      box.setAttribute('role', 'status');
      box.style.cssText = 'position:fixed;z-index:100000;left:50%;bottom:1em;transform:translateX(-50%);' +
        'background:#1d2433;color:#fff;padding:0.4em 0.9em;border-radius:6px;font:14px/1.4 sans-serif';
      document.body.appendChild(box);
    }
    box.textContent = text;
  }

  function refused(error) {
    if (/^403/.test(error.message)) notice('The presenter link was refused: this window only follows.');
  }

  // The presenter: every slide or step shown goes to the followers. A window remark cloned
  // (the presenter's second screen) shows what its opener shows, which says it already.
  var clone = Boolean(window.opener && window.opener.slideshow);
  // One position in flight at a time, then the latest: two requests at once may arrive in
  // either order, and the room would end on the slide before.
  var sending = false;
  var next = null;
  function postPosition(index) {
    next = index;
    if (sending) return;
    sending = true;
    var body = JSON.stringify({page: page, index: next});
    next = null;
    send('POST', '/__lecture__/position', body).catch(refused).then(function () {
      sending = false;
      if (next !== null) postPosition(next);
    });
  }
  function drive() {
    if (role !== 'presenter' || clone || !window.slideshow) return;
    var post = function (slide) { postPosition(slide.getSlideIndex()); };
    window.slideshow.on('showSlide', post);
    var current = window.slideshow.getSlides()[window.slideshow.getCurrentSlideIndex()];
    if (current) post(current);
  }

  // A follower: goes where the presenter is, unless it browsed away ("Back to live" returns).
  var live = null;      // the presenter's slide index, when known
  var moving = false;   // a move made here, not by the reader
  var away = false;
  var back = null;
  function backButton() {
    back = document.createElement('button');
    back.id = 'lecture-back-to-live';
    back.type = 'button';
    back.textContent = 'Back to live';
    back.title = 'Follow the presenter again';
    back.hidden = true;
    back.style.cssText = 'position:fixed;z-index:100000;right:1em;bottom:1em;padding:0.5em 1em;' +
      'font:bold 15px/1.3 sans-serif;background:#c8453a;color:#fff;border:2px solid #fff;' +
      'border-radius:6px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)';
    // remark reads keys from the whole document: a key meant for the button is not a slide move.
    back.addEventListener('keydown', function (event) { event.stopPropagation(); });
    back.addEventListener('keypress', function (event) { event.stopPropagation(); });
    back.addEventListener('click', function () {
      away = false;
      back.hidden = true;
      go();
      back.blur();
    });
    // First in the page, so that the first Tab reaches it.
    document.body.insertBefore(back, document.body.firstChild);
  }
  function go() {
    if (live === null || away || !window.slideshow) return;
    if (window.slideshow.getCurrentSlideIndex() === live) return;
    moving = true;
    try { window.slideshow.gotoSlide(live + 1); } finally { moving = false; }
  }
  function follow() {
    if (role !== 'follower' || !window.slideshow) return;
    backButton();
    window.slideshow.on('showSlide', function (slide) {
      if (moving || live === null) return;
      away = slide.getSlideIndex() !== live;
      back.hidden = !away;
    });
  }

  var events = new EventSource('/__lecture__/events?page=' + encodeURIComponent(page));
  events.addEventListener('state', function (event) {
    var state = JSON.parse(event.data);
    var changed = epoch !== null && state.epoch !== epoch;
    var mine = state.full || state.pages.indexOf(page) >= 0;
    epoch = state.epoch;
    if (changed && mine) update(state.full);
    overlay(state.diagnostics[page] || []);
  });
  events.addEventListener('position', function (event) {
    var position = JSON.parse(event.data);
    if (role !== 'follower' || position.page !== page) return;
    live = position.index;
    go();
  });
  events.addEventListener('broadcast', function (event) {
    var relayed = JSON.parse(event.data);
    if (relayed.page !== page || relayed.from === client) return;
    window.dispatchEvent(new CustomEvent('lecture:broadcast', {detail: relayed.message}));
  });
  drive();
  follow();
})();
