/* A copy button on each code block of a deck's slides. It copies what `lecture check` runs of
   the block (remark's `*` markers gone, a `>>>` session's input lines without their prompts, no
   hidden setup), which the build computed once (deck/annotations.py, `runnable_text`) and put in
   the page as #lecture-code: one list a slide, one text a block, in the slide's order. */
(function () {
  'use strict';
  if (!window.slideshow) return;

  var BUTTON = 'lecture-copy-code';
  var LABEL = 'Copy';

  function say(text) {
    if (window.lecture && window.lecture.announce) window.lecture.announce(text);
  }

  // Read at each copy, not once: `lecture serve` replaces it when it updates the page in place.
  function codeToCopy() {
    var element = document.getElementById('lecture-code');
    try { return element ? JSON.parse(element.textContent) : []; } catch (error) { return []; }
  }

  function shownText(code) {
    var lines = code.querySelectorAll('.remark-code-line');
    if (!lines.length) return code.textContent;
    return Array.prototype.map.call(lines, function (line) { return line.textContent; }).join('\n');
  }

  // The build's text for the block, when the build saw as many blocks on the slide as remark
  // made (a block that only remark finds, or only the build, would shift them); else the block
  // as it is shown.
  function textToCopy(button) {
    var slide = codeToCopy()[Number(button.getAttribute('data-slide'))];
    var block = Number(button.getAttribute('data-block'));
    if (slide && slide.length === Number(button.getAttribute('data-blocks')) && typeof slide[block] === 'string') {
      return slide[block];
    }
    return shownText(button.parentNode.querySelector('code'));
  }

  function addButtons() {
    var slides = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
    for (var i = 0; i < slides.length; i++) {
      var blocks = slides[i].querySelectorAll('.remark-slide-content pre > code.remark-code');
      for (var j = 0; j < blocks.length; j++) {
        var pre = blocks[j].parentNode;
        if (pre.querySelector('.' + BUTTON)) continue;
        var button = document.createElement('button');
        button.type = 'button';
        button.className = BUTTON;
        button.textContent = LABEL;
        button.setAttribute('aria-label', 'Copy code');
        button.setAttribute('data-slide', String(i));
        button.setAttribute('data-block', String(j));
        button.setAttribute('data-blocks', String(blocks.length));
        pre.classList.add('lecture-copyable');
        pre.appendChild(button);
      }
    }
  }

  // A file opened from disk may not reach the clipboard API (no permission, or a browser that
  // keeps it from file://): the older way, through a text area, and else the block is selected
  // for the reader's own Ctrl+C, and the page says so.
  function copyByCommand(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.setAttribute('aria-hidden', 'true');
    area.className = 'lecture-copy-buffer';
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand('copy'); } catch (error) { done = false; }
    area.remove();
    return done;
  }

  function selectBlock(button) {
    var range = document.createRange();
    range.selectNodeContents(button.parentNode.querySelector('code'));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copied(button, done) {
    if (!done) {
      selectBlock(button);
      say('This page cannot reach the clipboard: the code is selected, press Ctrl+C (on a Mac, Command+C) to copy it');
      return;
    }
    button.textContent = 'Copied';
    button.setAttribute('aria-label', 'Copied');  // its name says what it shows
    say('Copied');
    setTimeout(function () {
      button.textContent = LABEL;
      button.setAttribute('aria-label', 'Copy code');
    }, 2000);
  }

  function copy(button) {
    var text = textToCopy(button);
    var fallback = function () {
      var done = copyByCommand(text);
      button.focus();
      copied(button, done);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { copied(button, true); }, fallback);
    } else {
      fallback();
    }
  }

  // On the document: buttons that remark copies (the presenter's preview of the next slide)
  // work as well as the slides' own.
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('.' + BUTTON);
    if (button) copy(button);
  });
  // remark reads keys on the window, after the document: Enter or Space presses the button,
  // and must not also turn the slide.
  document.addEventListener('keydown', function (event) {
    if ((event.key === 'Enter' || event.key === ' ') && event.target.closest &&
        event.target.closest('.' + BUTTON)) {
      event.stopPropagation();
    }
  });

  addButtons();
  // remark makes new slides when the deck is loaded again (`lecture serve`'s in-place update).
  var area = document.querySelector('.remark-slides-area');
  if (area && window.MutationObserver) new MutationObserver(addButtons).observe(area, {childList: true});
})();
