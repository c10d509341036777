/* `lecture serve` adds this to every page it serves (never to the built files): it follows the
   server's build epoch, updates the deck in place on the slide being shown, and shows problems. */
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

  var events = new EventSource('/__lecture__/events');
  events.addEventListener('state', function (event) {
    var state = JSON.parse(event.data);
    var changed = epoch !== null && state.epoch !== epoch;
    var mine = state.full || state.pages.indexOf(page) >= 0;
    epoch = state.epoch;
    if (changed && mine) update(state.full);
    overlay(state.diagnostics[page] || []);
  });
})();
