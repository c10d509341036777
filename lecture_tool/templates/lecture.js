/* Starts remark on the embedded deck, then renders the math the build marked for KaTeX, and
   gives the page what remark lacks for assistive technology: one slide in the accessibility tree,
   an announcement a slide change, single-key shortcuts a reader can turn off or move. */
(function () {
  'use strict';

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function escapeAttribute(text) {
    return String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  }

  // An attribute's value that keeps character references as they are: the build writes an
  // image's alternative text into a macro's arguments with `&#44;` for its commas.
  function escapeKeepingReferences(text) {
    return String(text).replace(/&(?!#?\w+;)/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  }

  // `![:scale 50%](image.png)`, a macro many remark decks use; remark itself ships none. A
  // course's own macros (templates/macros.js) ran before this script: its `scale` stays.
  // `![:scale 50%, what it shows](image.png)`: the words after the width are the image's
  // alternative text (remark splits them at commas: joined again), `""` says it is decorative.
  if (!Object.prototype.hasOwnProperty.call(remark.macros, 'scale')) {
    remark.macros.scale = function (width) {
      var alt = Array.prototype.slice.call(arguments, 1).join(', ');
      var altAttribute = alt === '""' ? ' alt=""' : (alt ? ' alt="' + escapeKeepingReferences(alt) + '"' : '');
      return '<img src="' + escapeAttribute(this) + '" style="width: ' + escapeAttribute(width) + '"' +
        altAttribute + ' />';
    };
  }

  function renderMath(root) {
    var spans = root.querySelectorAll('span.lecture-math');
    for (var i = 0; i < spans.length; i++) {
      // A formula opened in the `--` step before: that step shows its `$`, this one does not.
      var head = spans[i].previousElementSibling;
      if (spans[i].hasAttribute('data-joined') && head && head.classList.contains('lecture-math-head')) {
        head.remove();
      }
      // KaTeX's MathML (visually hidden by KaTeX's own stylesheet) is what a screen reader
      // reads; the HTML it draws is hidden from screen readers (aria-hidden).
      katex.render(spans[i].getAttribute('data-tex'), spans[i], {
        displayMode: spans[i].classList.contains('display'),
        output: 'htmlAndMathml',
        throwOnError: false
      });
    }
  }

  // Headings with math: the ids remark would give them from the deck's own Markdown.
  function renameHeadings(root, ids) {
    var found = root.querySelectorAll('.remark-slide-content [id]');
    for (var i = 0; i < found.length; i++) {
      if (Object.prototype.hasOwnProperty.call(ids, found[i].id)) found[i].id = ids[found[i].id];
    }
  }

  function headingIds(doc) {
    var element = doc.getElementById('lecture-heading-ids');
    return element ? JSON.parse(element.textContent) : {};  // a course's own deck.html may lack it
  }

  // The progress bar (lecture.css) of each slide: its position in the deck, from 1/n to 1, as
  // remark counts slides (a `--` step is one). On each slide, not on the window, so that a
  // printed page and a presenter's preview show their own.
  function markProgress(doc) {
    var slides = doc.querySelectorAll('.remark-slides-area .remark-slide-container');
    for (var i = 0; i < slides.length; i++) {
      slides[i].style.setProperty('--lecture-progress', String((i + 1) / slides.length));
    }
  }

  // remark keeps every slide in the page and shows one (and, for a second, the one it leaves:
  // `remark-fading`). Only the one shown is for assistive technology; the presenter's preview of
  // the next slide is a copy of that slide's element, taken with its attributes, and is meant
  // to be read. A printout shows every slide, so none is hidden while printing.
  var printing = false;

  function setHidden(element, hidden) {
    if (hidden) {
      element.setAttribute('aria-hidden', 'true');
      element.setAttribute('inert', '');
    } else {
      element.removeAttribute('aria-hidden');
      element.removeAttribute('inert');
    }
  }

  function hideOtherSlides(shown) {
    var current = typeof shown === 'number' ? shown : window.slideshow.getCurrentSlideIndex();
    var slides = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
    // Slides are counted by their place in the page: while some are out of it for a moment
    // (`lecture check --a11y` audits one slide alone), the places say nothing; wait for them.
    if (slides.length !== window.slideshow.getSlideCount()) return;
    for (var i = 0; i < slides.length; i++) setHidden(slides[i], !printing && i !== current);
    var previews = document.querySelectorAll('.remark-preview-area .remark-slide-container');
    for (var j = 0; j < previews.length; j++) setHidden(previews[j], false);
  }

  // A heading's text as a screen reader would say it: a formula once (KaTeX's MathML, without
  // its TeX annotation), not twice.
  function spokenText(element) {
    var copy = element.cloneNode(true);
    var drawn = copy.querySelectorAll('.katex-html, annotation');
    for (var i = 0; i < drawn.length; i++) drawn[i].remove();
    return copy.textContent.replace(/\s+/g, ' ').trim();
  }

  // A slide's first heading as a screen reader says it ('' without one); the overview and
  // search (overview.js) name slides by it too.
  function slideTitle(slide) {
    var heading = slide && slide.querySelector(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', '[role="heading"]'].map(
      function (name) { return '.remark-slide-content ' + name; }).join(', '));
    return heading ? spokenText(heading) : '';
  }

  function slideLabel(index) {
    var title = slideTitle(document.querySelectorAll('.remark-slides-area > .remark-slide-container')[index]);
    var label = 'Slide ' + (index + 1) + ' of ' + window.slideshow.getSlideCount();
    return title ? label + ': ' + title : label;
  }

  // One polite announcement a slide change: remark repaints a slide (an in-place update under
  // `lecture serve` shows the same slide again) without the reader having gone anywhere.
  var announcer = null;
  var announced = -1;

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  // remark says which slide it shows before it counts it as the current one.
  function slideShown(slide) {
    var index = slide.getSlideIndex();
    hideOtherSlides(index);
    if (index !== announced) {
      announced = index;
      announce(slideLabel(index));
    }
  }

  function addAnnouncer() {
    announcer = document.createElement('div');
    announcer.id = 'lecture-announcer';
    announcer.className = 'lecture-visually-hidden';
    announcer.setAttribute('role', 'status');
    announcer.setAttribute('aria-live', 'polite');
    announcer.setAttribute('aria-atomic', 'true');
    // Filled before it joins the page: read when asked, not announced on arrival.
    announced = window.slideshow.getCurrentSlideIndex();
    if (announced >= 0) announcer.textContent = slideLabel(announced);
    document.body.appendChild(announcer);
  }

  function labelPresenterAreas() {
    var labels = {'.remark-preview-area': 'Next slide', '.remark-notes-area': 'Presenter notes'};
    Object.keys(labels).forEach(function (selector) {
      var area = document.querySelector(selector);
      if (area) {
        area.setAttribute('role', 'region');
        area.setAttribute('aria-label', labels[selector]);
      }
    });
  }

  // remark's single-character shortcuts (its keyboard.js, on keypress) and what each does. WCAG
  // 2.1.4: a reader must be able to turn them off (a screen reader's own keys are letters) or
  // move them to keys with a modifier. A listener on the window's capture phase sees each key
  // before remark's listener on the window does, and stops the ones that are off or moved.
  var ACTIONS = {b: 'toggleBlackout', c: 'createClone', f: 'toggleFullscreen', h: 'toggleHelp',
                 '?': 'toggleHelp', j: 'gotoNextSlide', k: 'gotoPreviousSlide', m: 'toggleMirrored',
                 p: 'togglePresenterMode', t: 'resetTimer'};
  // The page's own single-key shortcuts (overview.js adds them: `o`, `/`): off and moved as
  // remark's are, [tool.lecture.keys] naming them too.
  var pageActions = {};
  var TOGGLE = 'alt+shift+k';
  var STORED = 'lecture-shortcuts';  // the reader's choice, for every deck and the clone window

  function storedChoice() {
    try { return window.localStorage.getItem(STORED); } catch (error) { return null; }
  }

  function remember(on) {
    try { window.localStorage.setItem(STORED, on ? 'on' : 'off'); } catch (error) { /* private mode */ }
  }

  // The ways a keydown can be written: modifiers in alphabetical order, then the key. A
  // character typed with shift (`?`) is also written without it, and a letter or digit also by
  // its physical key (macOS types `π` for alt+p).
  function combinations(event) {
    var modifiers = ['alt', 'ctrl', 'meta', 'shift'].filter(function (name) { return event[name + 'Key']; });
    var keys = [(event.key || '').toLowerCase()];
    var physical = /^(?:Key([A-Z])|Digit([0-9]))$/.exec(event.code || '');
    if (physical) keys.push((physical[1] || physical[2]).toLowerCase());
    var found = [];
    keys.forEach(function (key) {
      found.push(modifiers.concat([key]).join('+'));
      if (event.shiftKey && key.length === 1 && !/[a-z]/.test(key)) {
        found.push(modifiers.filter(function (m) { return m !== 'shift'; }).concat([key]).join('+'));
      }
    });
    return found;
  }

  // A key alone, or with shift only, types a character: a single-key shortcut still.
  function isSingleKey(combination) {
    return /^(?:shift\+)?.$/.test(combination);
  }

  // Keys typed into a text field (the search box) are text, not shortcuts.
  function typing(target) {
    return target && target.closest && target.closest('input, textarea, select, [contenteditable]');
  }

  function run(key) {
    if (Object.prototype.hasOwnProperty.call(pageActions, key)) pageActions[key]();
    else if (ACTIONS[key]) window.slideshow[ACTIONS[key]]();
  }

  function installShortcuts(settings) {
    var moved = settings.keys || {};
    var stored = storedChoice();
    var on = stored ? stored === 'on' : settings.shortcuts !== false;
    var swallowKeypress = false;
    var button = null;

    function stop(event) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }

    function ours(target) {
      return target && target.closest && target.closest('.lecture-page-controls, .lecture-skip-link');
    }

    function setOn(value, said) {
      on = value;
      remember(on);
      if (button) button.setAttribute('aria-pressed', String(on));
      if (said) announce('Single-key shortcuts ' + (on ? 'on' : 'off'));
    }

    window.addEventListener('keydown', function (event) {
      swallowKeypress = false;
      var pressed = combinations(event);
      if (pressed.indexOf(TOGGLE) >= 0) {
        stop(event);
        swallowKeypress = true;
        setOn(!on, true);
        return;
      }
      if (ours(event.target) && (event.key === ' ' || event.key === 'Enter')) {
        event.stopImmediatePropagation();  // Space on the button presses it: not "next slide"
        return;
      }
      if (typing(event.target)) return;
      for (var key in moved) {
        var to = moved[key];
        if (to && pressed.indexOf(to) >= 0 && (on || !isSingleKey(to))) {
          stop(event);
          swallowKeypress = true;  // the character it types would be another shortcut
          run(key);
          return;
        }
      }
      for (var own in pageActions) {
        if (on && !Object.prototype.hasOwnProperty.call(moved, own) && pressed.indexOf(own) >= 0 &&
            !event.altKey && !event.ctrlKey && !event.metaKey) {
          stop(event);
          swallowKeypress = true;
          run(own);
          return;
        }
      }
    }, true);

    window.addEventListener('keypress', function (event) {
      if (swallowKeypress) {
        swallowKeypress = false;
        event.stopImmediatePropagation();
        return;
      }
      if (event.metaKey || event.ctrlKey) return;  // remark ignores these itself
      var key = String.fromCharCode(event.which).toLowerCase();
      var shortcut = Object.prototype.hasOwnProperty.call(ACTIONS, key) || /[0-9]/.test(key);
      if (shortcut && (!on || Object.prototype.hasOwnProperty.call(moved, key))) {
        event.stopImmediatePropagation();
      }
    }, true);

    return function addButton() {
      var controls = document.createElement('div');
      controls.className = 'lecture-page-controls';
      button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Single-key shortcuts (Alt+Shift+K)';
      button.setAttribute('aria-keyshortcuts', 'Alt+Shift+K');
      button.setAttribute('aria-pressed', String(on));
      button.addEventListener('click', function () { setOn(!on, true); });
      controls.appendChild(button);
      var skip = document.querySelector('.lecture-skip-link');
      document.body.insertBefore(controls, skip ? skip.nextSibling : document.body.firstChild);
    };
  }

  // --- GIF pause button (accessibility, WCAG 2.2.2) -------------------------------------------
  // An animated GIF that runs longer than 5 s must be pausable, and an <img> cannot pause one:
  // the button draws the frame showing onto a canvas laid over the image, and takes it away to
  // play again. Visitors who ask for reduced motion get every GIF paused from the start. The
  // class lecture-gif-pause is how the build knows this page pauses GIFs (deck/accessibility.py).
  function addGifPauseButtons(root) {
    var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var images = root.querySelectorAll('.remark-slide-content img');
    for (var i = 0; i < images.length; i++) {
      var image = images[i];
      if (!/\.gif(?:[?#]|$)/i.test(image.getAttribute('src') || '') ||
          (image.parentNode && image.parentNode.classList.contains('lecture-gif'))) continue;
      var frame = document.createElement('span');
      frame.className = 'lecture-gif';
      image.parentNode.insertBefore(frame, image);
      frame.appendChild(image);
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'lecture-gif-pause';
      frame.appendChild(button);
      showGifPlaying(frame, true);
      button.addEventListener('click', toggleGif);
      // remark reads keys on the document: Space or Enter on the button must not also turn the
      // slide (the arrows still do).
      button.addEventListener('keydown', function (event) {
        if (event.key === ' ' || event.key === 'Enter') event.stopPropagation();
      });
      if (reduced) {
        if (image.complete) pauseGif(frame); else image.addEventListener('load', pauseGif.bind(null, frame));
      }
    }
  }

  // remark converts a content class's Markdown twice, so a bare URL in `.footnote[…]` becomes a
  // link inside its own link, and the browser's parser ends the outer one at once: an empty
  // link before the real one, a tab stop with no name (WCAG 2.4.4; axe: link-name). It goes.
  function dropEmptyLinkTwins(root) {
    var links = root.querySelectorAll('.remark-slide-content a[href]');
    for (var i = 0; i < links.length; i++) {
      var next = links[i].nextSibling;
      if (!links[i].firstChild && next && next.nodeName === 'A' &&
          next.getAttribute('href') === links[i].getAttribute('href')) {
        links[i].remove();
      }
    }
  }

  function showGifPlaying(frame, playing) {
    var button = frame.querySelector('.lecture-gif-pause');
    button.textContent = playing ? '❚❚' : '▶';
    button.setAttribute('aria-label', playing ? 'Pause the animation' : 'Play the animation');
  }

  function pauseGif(frame) {
    var image = frame.querySelector('img');
    var still = document.createElement('canvas');
    still.className = 'lecture-gif-still';
    still.width = image.naturalWidth;
    still.height = image.naturalHeight;
    still.getContext('2d').drawImage(image, 0, 0);
    // In the image's place (hidden while paused), with its text; a decorative one stays unsaid.
    if (image.getAttribute('alt')) {
      still.setAttribute('role', 'img');
      still.setAttribute('aria-label', image.getAttribute('alt'));
    } else {
      still.setAttribute('aria-hidden', 'true');
    }
    frame.insertBefore(still, image);
    frame.classList.add('lecture-gif-paused');
    showGifPlaying(frame, false);
  }

  function toggleGif(event) {
    var frame = event.currentTarget.parentNode;
    var still = frame.querySelector('.lecture-gif-still');
    if (still) {
      still.remove();
      frame.classList.remove('lecture-gif-paused');
      showGifPlaying(frame, true);
    } else {
      pauseGif(frame);
    }
  }
  // --- end of the GIF pause button --------------------------------------------------------------

  // A code block wider than its slide scrolls (highlight.js gives it overflow-x: auto), and what
  // scrolls must be reachable from the keyboard (WCAG 2.1.1; axe: scrollable-region-focusable):
  // every block takes focus, and there the left and right arrows scroll it (keydownInCode).
  function focusableCode(root) {
    var blocks = root.querySelectorAll('.remark-slide-content pre > code.remark-code');
    for (var i = 0; i < blocks.length; i++) blocks[i].setAttribute('tabindex', '0');
  }

  // remark listens on the window: stopped here, on the way up, the arrow scrolls the block.
  function keydownInCode(event) {
    var block = event.target;
    if ((event.keyCode === 37 || event.keyCode === 39) && block.matches &&
        block.matches('pre > code.remark-code') && block.scrollWidth > block.clientWidth) {
      event.stopPropagation();
    }
  }

  // What remark's slides need once they are made (at start, and when a deck is loaded again).
  function finishSlides(doc) {
    markProgress(doc);
    dropEmptyLinkTwins(doc);
    focusableCode(doc);
    addGifPauseButtons(doc);
  }

  // What `lecture serve`'s in-place update (serving/live.js) calls; the slides it makes are
  // finished by the observer below.
  // What the page's tools (overview.js, copy_code.js) use: the polite announcement, a slide's
  // title, and their own shortcuts.
  window.lecture = {renderMath: renderMath, renameHeadings: renameHeadings, headingIds: headingIds,
                    markProgress: markProgress, announce: function (text) { announce(text); },
                    slideTitle: slideTitle,
                    addShortcut: function (key, action) { pageActions[key] = action; }};

  var options = readJson('lecture-options');
  options.source = readJson('lecture-source');
  var settings = options.lecture || {};  // lecture's own, not remark's (render/pages.py)
  delete options.lecture;
  var addButton = installShortcuts(settings);  // before remark's listeners, and so first
  // remark builds every slide (and its notes) inside create(), so the math is all there now.
  window.slideshow = remark.create(options);
  renderMath(document);
  renameHeadings(document, headingIds(document));
  finishSlides(document);
  document.addEventListener('keydown', keydownInCode);
  addButton();
  labelPresenterAreas();
  addAnnouncer();
  hideOtherSlides();
  window.slideshow.on('afterShowSlide', slideShown);
  window.addEventListener('beforeprint', function () { printing = true; hideOtherSlides(); });
  window.addEventListener('afterprint', function () { printing = false; hideOtherSlides(); });
  // remark makes new slide elements when the deck is loaded again (`lecture serve` updates a
  // page in place that way) and tells no outside listener: watching its slide area does.
  var area = document.querySelector('.remark-slides-area');
  if (area && window.MutationObserver) {
    new MutationObserver(function () {
      finishSlides(document);
      hideOtherSlides();
    }).observe(area, {childList: true});
  }
})();
