/* Starts remark on the embedded deck, then renders the math the build marked for KaTeX. */
(function () {
  'use strict';

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function escapeAttribute(text) {
    return String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  }

  // `![:scale 50%](image.png)`, a macro many remark decks use; remark itself ships none.
  remark.macros.scale = function (width) {
    return '<img src="' + escapeAttribute(this) + '" style="width: ' + escapeAttribute(width) + '" />';
  };

  function renderMath(root) {
    var spans = root.querySelectorAll('span.lecture-math');
    for (var i = 0; i < spans.length; i++) {
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

  window.lecture = {renderMath: renderMath, renameHeadings: renameHeadings, headingIds: headingIds};

  var options = readJson('lecture-options');
  options.source = readJson('lecture-source');
  // remark builds every slide (and its notes) inside create(), so the math is all there now.
  window.slideshow = remark.create(options);
  renderMath(document);
  renameHeadings(document, headingIds(document));
})();
