/* Starts remark on the embedded deck, then renders the math the build marked for KaTeX. */
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

  window.lecture = {renderMath: renderMath, renameHeadings: renameHeadings, headingIds: headingIds,
                    markProgress: markProgress, addGifPauseButtons: addGifPauseButtons};

  var options = readJson('lecture-options');
  options.source = readJson('lecture-source');
  // remark builds every slide (and its notes) inside create(), so the math is all there now.
  window.slideshow = remark.create(options);
  renderMath(document);
  renameHeadings(document, headingIds(document));
  markProgress(document);
  addGifPauseButtons(document);
  // remark makes new slide elements when the deck is loaded again (`lecture serve` updates a
  // page in place that way) and tells no outside listener: watching its slide area does.
  var area = document.querySelector('.remark-slides-area');
  if (area && window.MutationObserver) {
    new MutationObserver(function () {
      markProgress(document);
      addGifPauseButtons(document);
    }).observe(area, {childList: true});
  }
})();
