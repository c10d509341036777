// Marks the slides a mode prints, sizes the page, shrinks notes that would not fit their band,
// and waits until every font the shown slides use has loaded.
// One function expression: lecture pdf hands it to Playwright's page.evaluate().
async (options) => {
  // Chromium's outline of a tagged PDF follows the headings as assistive technology sees them:
  // each slide's first heading at level 1, the slide's (and its notes') other headings below
  // it in the order of their own levels, none skipped.
  const outlineLevels = (container) => {
    const content = container.querySelector('.remark-slide-content');
    const selector = 'h1, h2, h3, h4, h5, h6, [role="heading"]';
    const headings = Array.from(container.querySelectorAll(selector));
    const title = content && content.querySelector(selector);
    const level = (heading) => Number(heading.getAttribute('aria-level') || heading.tagName.slice(1)) || 1;
    const own = new Map(headings.map((heading) => [heading, level(heading)]));
    const below = [...new Set(headings.filter((heading) => heading !== title).map((h) => own.get(h)))]
      .sort((a, b) => a - b);
    for (const heading of headings) {
      heading.setAttribute('aria-level', String(heading === title ? 1 : Math.min(6, 2 + below.indexOf(own.get(heading)))));
    }
  };
  const containers = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  const [across, down] = window.slideshow.getRatio().split(':').map(Number);
  const scaler = containers[0].querySelector('.remark-slide-scaler');
  const slideWidth = options.width;
  const slideHeight = options.width * down / across;
  const pageHeight = slideHeight + (options.notes ? options.notesHeight : 0);
  const root = document.documentElement.style;
  root.setProperty('--lecture-page-width', slideWidth + 'px');
  root.setProperty('--lecture-page-height', pageHeight + 'px');
  root.setProperty('--lecture-slide-height', slideHeight + 'px');
  root.setProperty('--lecture-notes-height', options.notesHeight + 'px');
  root.setProperty('--lecture-scale-x', String(slideWidth / parseFloat(scaler.style.width)));
  root.setProperty('--lecture-scale-y', String(slideHeight / parseFloat(scaler.style.height)));
  document.documentElement.classList.toggle('lecture-notes', options.notes);
  // remark's own stylesheet sets a landscape @page size, which Chromium would follow.
  let pageRule = document.getElementById('lecture-page-size');
  if (!pageRule) {
    pageRule = document.createElement('style');
    pageRule.id = 'lecture-page-size';
    document.head.appendChild(pageRule);
  }
  pageRule.textContent = '@page { size: ' + slideWidth + 'px ' + pageHeight + 'px; margin: 0; }';
  const wanted = new Set(options.wanted);
  let last = null;
  containers.forEach((container, index) => {
    container.classList.toggle('lecture-print', wanted.has(index));
    container.classList.remove('lecture-last');
    if (wanted.has(index)) last = container;
    // The page hides every slide but the one shown from assistive technology (lecture.js); a
    // tagged PDF holds only what that tree holds.
    container.removeAttribute('aria-hidden');
    container.removeAttribute('inert');
    outlineLevels(container);
  });
  if (last) last.classList.add('lecture-last');
  // A formula's MathML is not printed (print.css): the PDF's text of a formula is what KaTeX
  // draws, which the page hides from screen readers for the MathML's sake, and would otherwise
  // be left out of the tagged PDF.
  for (const drawn of document.querySelectorAll('.remark-slides-area .katex-html[aria-hidden]')) {
    drawn.removeAttribute('aria-hidden');
  }
  if (options.notes) {
    for (const index of options.wanted) {
      const notes = containers[index].querySelector('.remark-slide-notes');
      if (!notes) continue;
      notes.style.fontSize = '';
      let size = 26;
      while (notes.scrollHeight > notes.clientHeight && size > 9) {
        size -= 1;
        notes.style.fontSize = size + 'px';
      }
    }
  }
  void document.body.offsetHeight;
  await document.fonts.ready;
  return {width: slideWidth, height: pageHeight, pages: wanted.size,
          base: new URL('./', location.href).href};
}
