// After layout.js: for `lecture pdf --annotated`, shows the strokes (the page's annotate.js
// draws them as SVG paths, which Chromium prints as vector paths) and puts each blank board on
// a page of its own after its slide; for the other modes, takes all that away again.
// One function expression: lecture pdf hands it to Playwright's page.evaluate().
(options) => {
  const area = document.querySelector('.remark-slides-area');
  for (const page of area.querySelectorAll(':scope > .lecture-board-page')) page.remove();
  document.documentElement.classList.toggle('lecture-annotated', options.annotated);
  const drawing = window.lectureAnnotate;
  if (!options.annotated || !drawing) return {boards: 0};
  drawing.renderAll();
  let boards = 0;
  const containers = area.querySelectorAll(':scope > .remark-slide-container');
  containers.forEach((container, index) => {
    if (!container.classList.contains('lecture-print') || !drawing.hasBoard(index)) return;
    // The slide's frame without its content: remark's size and scale, a white sheet, the strokes.
    const page = container.cloneNode(true);
    page.className = 'lecture-board-page lecture-print';
    for (const content of page.querySelectorAll('.remark-slide-content, .remark-slide-notes')) content.remove();
    page.setAttribute('aria-label', 'Blank board');
    container.after(page);
    drawing.drawBoard(page, index);
    if (container.classList.contains('lecture-last')) {
      container.classList.remove('lecture-last');
      page.classList.add('lecture-last');
    }
    boards += 1;
  });
  return {boards};
}
