/* Starts remark on the embedded deck, then renders the math the build marked for KaTeX. */
(function () {
  'use strict';

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function escapeAttribute(text) {
    return String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  }

  // `![:scale 50%](image.png)`, a macro many remark decks use; remark itself ships none. A
  // course's own macros (templates/macros.js) ran before this script: its `scale` stays.
  if (!Object.prototype.hasOwnProperty.call(remark.macros, 'scale')) {
    remark.macros.scale = function (width) {
      return '<img src="' + escapeAttribute(this) + '" style="width: ' + escapeAttribute(width) + '" />';
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
      katex.render(spans[i].getAttribute('data-tex'), spans[i], {
        displayMode: spans[i].classList.contains('display'),
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
  }

  window.lecture = {renderMath: renderMath, renameHeadings: renameHeadings, headingIds: headingIds,
                    markProgress: markProgress, finishSlides: finishSlides};

  var options = readJson('lecture-options');
  options.source = readJson('lecture-source');
  // remark builds every slide (and its notes) inside create(), so the math is all there now.
  window.slideshow = remark.create(options);
  renderMath(document);
  renameHeadings(document, headingIds(document));
  finishSlides(document);
  document.addEventListener('keydown', keydownInCode);
  // remark makes new slide elements when the deck is loaded again (`lecture serve` updates a
  // page in place that way) and tells no outside listener: watching its slide area does.
  var area = document.querySelector('.remark-slides-area');
  if (area && window.MutationObserver) {
    new MutationObserver(function () { finishSlides(document); }).observe(area, {childList: true});
  }
})();
