// Runs the real remark.js on a deck source and reports the slides as remark sees them.
(source) => {
  const container = document.createElement('div');
  container.style.width = '800px';
  container.style.height = '600px';
  document.body.appendChild(container);
  let show;
  try {
    show = remark.create({source: source, container: container});
  } catch (error) {
    container.remove();
    return {error: String(error)};
  }
  const views = container.querySelectorAll('.remark-slide-container');
  const slides = show.getSlides().map((slide, i) => {
    const view = views[i];
    const heading = view ? view.querySelector('.remark-slide-content h1, .remark-slide-content h2, .remark-slide-content h3, .remark-slide-content h4, .remark-slide-content h5, .remark-slide-content h6') : null;
    const notes = view ? view.querySelector('.remark-slide-notes') : null;
    const number = view ? view.querySelector('.remark-slide-number') : null;
    return {
      index: slide.getSlideIndex(),
      continued: slide.properties.continued === 'true',
      name: slide.properties.name || '',
      cls: slide.properties['class'] || '',
      title: heading ? heading.textContent.replace(/\s+/g, ' ').trim() : '',
      notes: notes ? notes.textContent.trim() : '',
      number: number ? number.textContent.trim() : '',
    };
  });
  const count = show.getSlideCount();
  container.remove();
  return {count: count, slides: slides};
}
