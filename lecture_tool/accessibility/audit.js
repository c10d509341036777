// axe-core on a page in the audit's tab: the page around the slides once, then each slide
// named, shown as remark shows it; a page without slides whole. One function expression:
// Playwright's `evaluate` calls it with {slides, tags} and gets the violations back.
async ({slides, tags}) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const found = [];
  const firstMessage = (node) => {
    // `none` and `all` fail when any of theirs does; `any` lists the ways to pass, first the likeliest.
    const checks = [...node.none, ...node.all, ...node.any];
    return checks.length ? checks[0].message : '';
  };
  const add = (result, slide) => {
    for (const violation of result.violations) {
      found.push({
        slide, rule: violation.id, impact: violation.impact || '', help: violation.help,
        count: violation.nodes.length,
        nodes: violation.nodes.slice(0, 3).map((node) => ({
          target: node.target.map(String).join(' '), html: node.html, message: firstMessage(node)})),
      });
    }
  };
  if (!window.slideshow) {
    add(await axe.run(document, options), null);
    return found;
  }
  add(await axe.run({exclude: [['.remark-slides-area']]}, options), null);
  // The strokes drawn over a slide (annotate.js) are the lecturer's, not the deck's; over its
  // text they would keep axe from telling the text's background.
  const hideInk = document.createElement('style');
  hideInk.textContent = 'svg.lecture-ink { display: none !important; }';
  document.head.appendChild(hideInk);
  const area = document.querySelector('.remark-slides-area');
  const all = Array.from(area.children);
  for (const number of slides) {
    slideshow.gotoSlide(number);
    // remark leaves the slide it came from on screen for a second, fading (under the new one);
    // the audit does not wait for that second.
    for (const fading of area.querySelectorAll('.remark-fading')) fading.classList.remove('remark-fading');
    // The other slides wait outside the document while axe runs. They are display: none, so
    // nothing of them is on screen or in the accessibility tree, but axe-core walks the whole
    // document at every run: with lecture 3's 66 slides in it, a run took 13 times as long.
    const shown = area.querySelector(':scope > .remark-visible');
    const parked = document.createDocumentFragment();
    for (const slide of all) if (slide !== shown) parked.appendChild(slide);
    try {
      add(await axe.run({include: [['.remark-slides-area .remark-visible']]}, options), number);
    } finally {
      for (const slide of all) area.appendChild(slide);  // back, in their order
    }
  }
  return found;
}
