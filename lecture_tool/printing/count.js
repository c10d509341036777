// One function expression: lecture pdf hands it to Playwright's page.evaluate().
() => ({
  slides: window.slideshow.getSlideCount(),
  images: Array.from(new Set(Array.from(
    document.querySelectorAll('.remark-slides-area img'), (img) => img.currentSrc || img.src)))
})
