/* Two ways to find a slide: the overview (every slide as a tile, `o`) and search over the
   slides' text (`/`; in the presenter view the presenter notes too). Each is a modal dialog over
   the slides, opened by its key or a button of the page's tool bar; Enter or a click shows the
   slide chosen, Escape closes, and the focus goes back where it was. The keys are single-key
   shortcuts: lecture.js turns them off and moves them as it does remark's. */
(function () {
  'use strict';
  if (!window.slideshow || !window.lecture) return;

  var settings = {};
  try { settings = JSON.parse(document.getElementById('lecture-options').textContent).lecture || {}; } catch (error) { /* a course's own page */ }
  var moved = settings.keys || {};

  function slideContainers() {
    return document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  }

  function slideTitle(index) {
    return window.lecture.slideTitle(slideContainers()[index]) || '';
  }

  // `alt+o` as aria-keyshortcuts writes it (`Alt+O`); null when the key is off.
  function shortcutOf(key) {
    var to = Object.prototype.hasOwnProperty.call(moved, key) ? moved[key] : key;
    if (!to) return null;
    return to.split('+').map(function (part) {
      return part.length === 1 ? part.toUpperCase() : part.charAt(0).toUpperCase() + part.slice(1);
    }).join('+');
  }

  // --- a modal dialog -------------------------------------------------------------------------
  var open = null;  // {dialog, returnTo, inert: elements made inert while it is open}

  function makeDialog(id, title) {
    var dialog = document.createElement('div');
    dialog.className = 'lecture-dialog';
    dialog.id = id;
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', id + '-title');
    dialog.hidden = true;
    dialog.tabIndex = -1;  // a click on its background keeps the focus (and Escape) in it
    var head = document.createElement('div');
    head.className = 'lecture-dialog-head';
    var heading = document.createElement('h2');
    heading.id = id + '-title';
    heading.textContent = title;
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'lecture-dialog-close';
    close.textContent = 'Close';
    close.addEventListener('click', function () { closeDialog(); });
    head.appendChild(heading);
    head.appendChild(close);
    dialog.appendChild(head);
    // remark reads keys, the wheel and touches on the window: what happens in the dialog stays
    // in it (the keys that lecture.js reads first, `o` and `/`, still open and close).
    ['keydown', 'keypress', 'keyup', 'wheel', 'mousewheel', 'DOMMouseScroll', 'touchstart',
     'touchmove', 'touchend'].forEach(function (type) {
      dialog.addEventListener(type, function (event) {
        if (type === 'keydown' && event.key === 'Escape') {
          event.preventDefault();
          closeDialog();
        }
        event.stopPropagation();
      });
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function showDialog(dialog, focus) {
    var returnTo = open ? open.returnTo : document.activeElement;
    if (open) closeDialog(true);
    var inert = [];
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (element !== dialog && element.id !== 'lecture-announcer' && !element.hasAttribute('inert') &&
          element.tagName !== 'SCRIPT') {
        element.setAttribute('inert', '');
        inert.push(element);
      }
    });
    dialog.hidden = false;
    open = {dialog: dialog, returnTo: returnTo, inert: inert};
    focus.focus();
  }

  function closeDialog(keepFocus) {
    if (!open) return;
    // Hidden, the dialog would keep the focus until the browser's next frame, and the keys
    // typed until then (the search box's are text) would not reach the slides.
    if (open.dialog.contains(document.activeElement)) document.activeElement.blur();
    open.dialog.hidden = true;
    // The tiles' copies of the slides go with the dialog: nothing that looks for slides in the
    // page (the GIF buttons, an update of `lecture serve`) finds them, and they weigh nothing.
    var tiles = open.dialog.querySelector('.lecture-overview-tiles');
    if (tiles) tiles.textContent = '';
    open.inert.forEach(function (element) { element.removeAttribute('inert'); });
    var returnTo = open.returnTo;
    open = null;
    if (!keepFocus && returnTo && returnTo.focus && returnTo !== document.body) returnTo.focus();
  }

  function isOpen(dialog) {
    return open !== null && open.dialog === dialog;
  }

  // Where a slide is shown: its position, as the URL has it (#N). The focus goes to the page,
  // not back to a button: Space, the next key a lecturer presses, turns the slide.
  function show(index) {
    closeDialog(true);
    window.slideshow.gotoSlide(index + 1);
  }

  // --- the overview ---------------------------------------------------------------------------
  var overview = null;

  // A `--` step group is one tile, the complete slide (its last step), as the handout prints it.
  function completeSlides() {
    var slides = window.slideshow.getSlides();
    var complete = [];
    for (var i = 0; i < slides.length; i++) {
      var next = slides[i + 1];
      if (!next || next.properties.continued !== 'true') complete.push(i);
    }
    return complete;
  }

  // The tile's picture: a copy of the slide, scaled; for the eye only (the tile's caption names
  // the slide), and nothing in it takes the focus or keeps an id the page already has.
  function thumbnail(container) {
    var picture = document.createElement('span');
    picture.className = 'lecture-tile-picture';
    picture.setAttribute('aria-hidden', 'true');
    var scaler = container.querySelector('.remark-slide-scaler');
    var frame = document.createElement('span');
    frame.className = 'lecture-tile-frame';
    frame.style.width = scaler.style.width;
    frame.style.height = scaler.style.height;
    frame.style.setProperty('--lecture-progress', container.style.getPropertyValue('--lecture-progress'));
    var slide = container.querySelector('.remark-slide').cloneNode(true);
    var buttons = slide.querySelectorAll('button');
    for (var b = 0; b < buttons.length; b++) buttons[b].remove();
    var named = slide.querySelectorAll('[id], [tabindex], a[href]');
    for (var n = 0; n < named.length; n++) {
      named[n].removeAttribute('id');
      named[n].removeAttribute('tabindex');
      named[n].removeAttribute('href');
    }
    frame.appendChild(slide);
    picture.appendChild(frame);
    return picture;
  }

  function fillOverview() {
    var list = overview.querySelector('.lecture-overview-tiles');
    list.textContent = '';
    var containers = slideContainers();
    var scaler = containers.length && containers[0].querySelector('.remark-slide-scaler');
    if (scaler) list.style.setProperty('--lecture-tile-ratio', parseFloat(scaler.style.width) + ' / ' +
                                       parseFloat(scaler.style.height));
    var current = window.slideshow.getCurrentSlideIndex();
    var currentTile = null;
    var previous = -1;
    completeSlides().forEach(function (index) {
      var item = document.createElement('li');
      var tile = document.createElement('button');
      tile.type = 'button';
      tile.className = 'lecture-tile';
      tile.setAttribute('data-index', String(index));
      tile.appendChild(thumbnail(containers[index]));
      var caption = document.createElement('span');
      caption.className = 'lecture-tile-caption';
      var title = slideTitle(index);
      caption.textContent = 'Slide ' + (index + 1) + (title ? ': ' + title : '');
      tile.appendChild(caption);
      if (current > previous && current <= index) {
        tile.setAttribute('aria-current', 'true');
        currentTile = tile;
      }
      previous = index;
      tile.addEventListener('click', function () { show(index); });
      item.appendChild(tile);
      list.appendChild(item);
    });
    return currentTile || list.querySelector('.lecture-tile');
  }

  // Every tile has the same width (the grid's column): one measure, one scale for all.
  function scaleTiles() {
    var frame = overview.querySelector('.lecture-tile-frame');
    if (!frame) return;
    overview.querySelector('.lecture-overview-tiles').style.setProperty(
      '--lecture-tile-scale', String(frame.parentNode.clientWidth / parseFloat(frame.style.width)));
  }

  // Arrows move through the tiles as they lie on the screen: up and down a row.
  function moveInGrid(event) {
    var tiles = Array.prototype.slice.call(overview.querySelectorAll('.lecture-tile'));
    var at = tiles.indexOf(document.activeElement);
    if (at < 0) return;
    var columns = tiles.filter(function (tile) { return tile.offsetTop === tiles[0].offsetTop; }).length;
    var to = {ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - columns, ArrowDown: at + columns,
              Home: 0, End: tiles.length - 1}[event.key];
    if (to === undefined) return;
    event.preventDefault();
    tiles[Math.max(0, Math.min(tiles.length - 1, to))].focus();
  }

  function toggleOverview() {
    if (isOpen(overview)) {
      closeDialog();
      return;
    }
    if (!overview) {
      overview = makeDialog('lecture-overview', 'All slides');
      overview.classList.add('lecture-overview');
      var hint = document.createElement('p');
      hint.className = 'lecture-dialog-hint';
      hint.textContent = 'Arrow keys move between slides, Enter shows one, Escape closes.';
      overview.appendChild(hint);
      var list = document.createElement('ol');
      list.className = 'lecture-overview-tiles';
      list.setAttribute('aria-label', 'Slides');
      overview.appendChild(list);
      overview.addEventListener('keydown', moveInGrid);
      window.addEventListener('resize', function () { if (isOpen(overview)) scaleTiles(); });
    }
    var first = fillOverview();
    showDialog(overview, first);
    scaleTiles();
    first.scrollIntoView({block: 'nearest'});
  }

  // --- search ---------------------------------------------------------------------------------
  var search = null;
  var slideTexts = [];  // each slide's text (and notes), read when the search opens
  var matches = [];
  var selected = -1;

  // A slide's text as the reader sees it: a formula once (KaTeX's MathML, not its TeX), without
  // the slide number and the page's buttons.
  function visibleText(element) {
    if (!element) return '';
    var copy = element.cloneNode(true);
    var left = copy.querySelectorAll('.katex-html, annotation, .remark-slide-number, button');
    for (var i = 0; i < left.length; i++) left[i].remove();
    var lines = copy.querySelectorAll('.remark-code-line');
    for (var j = 0; j < lines.length; j++) lines[j].appendChild(document.createTextNode('\n'));
    return copy.textContent.replace(/\s+/g, ' ').trim();
  }

  function snippet(text, at, length) {
    var start = Math.max(0, at - 40);
    var end = Math.min(text.length, at + length + 60);
    var fragment = document.createDocumentFragment();
    fragment.appendChild(document.createTextNode((start > 0 ? '…' : '') + text.slice(start, at)));
    var mark = document.createElement('mark');
    mark.textContent = text.slice(at, at + length);
    fragment.appendChild(mark);
    fragment.appendChild(document.createTextNode(text.slice(at + length, end) + (end < text.length ? '…' : '')));
    return fragment;
  }

  // The slides whose text holds the query (case aside); a `--` step whose step before matched
  // too is left out: the match is shown where it first appears.
  function readSlides() {
    var presenter = document.body.classList.contains('remark-presenter-mode');
    slideTexts = Array.prototype.map.call(slideContainers(), function (container) {
      var texts = [[visibleText(container.querySelector('.remark-slide-content')), '']];
      if (presenter) texts.push([visibleText(container.querySelector('.remark-slide-notes')), 'notes']);
      return texts;
    });
  }

  function findSlides(query) {
    var wanted = query.replace(/\s+/g, ' ').trim().toLowerCase();
    if (!wanted) return [];
    var slides = window.slideshow.getSlides();
    var found = [];
    var matchedBefore = false;
    for (var i = 0; i < slideTexts.length; i++) {
      var texts = slideTexts[i];
      var hit = null;
      for (var t = 0; t < texts.length && !hit; t++) {
        var at = texts[t][0].toLowerCase().indexOf(wanted);
        if (at >= 0) hit = {index: i, text: texts[t][0], at: at, length: wanted.length, where: texts[t][1]};
      }
      var continued = slides[i] && slides[i].properties.continued === 'true';
      if (hit && !(continued && matchedBefore)) found.push(hit);
      matchedBefore = hit !== null;
    }
    return found;
  }

  function select(at) {
    var options = search.querySelectorAll('[role="option"]');
    var input = search.querySelector('input');
    if (!options.length) {
      selected = -1;
      input.removeAttribute('aria-activedescendant');
      return;
    }
    selected = (at + options.length) % options.length;
    for (var i = 0; i < options.length; i++) options[i].setAttribute('aria-selected', String(i === selected));
    input.setAttribute('aria-activedescendant', options[selected].id);
    options[selected].scrollIntoView({block: 'nearest'});
  }

  function listMatches() {
    var input = search.querySelector('input');
    var list = search.querySelector('[role="listbox"]');
    var status = search.querySelector('.lecture-search-status');
    matches = findSlides(input.value);
    list.textContent = '';
    matches.forEach(function (match, number) {
      var option = document.createElement('li');
      option.id = 'lecture-search-match-' + number;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      var title = document.createElement('span');
      title.className = 'lecture-search-slide';
      var name = slideTitle(match.index);
      title.textContent = 'Slide ' + (match.index + 1) + (name ? ': ' + name : '') +
        (match.where === 'notes' ? ' (in the notes)' : '');
      var text = document.createElement('span');
      text.className = 'lecture-search-snippet';
      text.appendChild(snippet(match.text, match.at, match.length));
      option.appendChild(title);
      option.appendChild(text);
      option.addEventListener('click', function () { show(match.index); });
      list.appendChild(option);
    });
    input.setAttribute('aria-expanded', String(matches.length > 0));
    status.textContent = !input.value.trim() ? '' :
      matches.length === 0 ? 'No slide holds this.' :
      matches.length === 1 ? '1 slide.' : matches.length + ' slides.';
    // The first match after the slide shown: Enter goes on through the deck.
    var current = window.slideshow.getCurrentSlideIndex();
    var next = 0;
    for (var i = 0; i < matches.length; i++) {
      if (matches[i].index > current) { next = i; break; }
    }
    select(next);
  }

  function keydownInSearch(event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      select(selected + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && selected >= 0 && matches[selected]) {
      event.preventDefault();
      show(matches[selected].index);
    }
  }

  function openSearch() {
    if (isOpen(search)) {
      closeDialog();
      return;
    }
    if (!search) {
      search = makeDialog('lecture-search', 'Search the slides');
      search.classList.add('lecture-search');
      var label = document.createElement('label');
      label.setAttribute('for', 'lecture-search-input');
      label.textContent = document.body.classList.contains('remark-presenter-mode') ?
        'Words on a slide or in its notes' : 'Words on a slide';
      var input = document.createElement('input');
      input.type = 'search';
      input.id = 'lecture-search-input';
      input.setAttribute('role', 'combobox');
      input.setAttribute('aria-autocomplete', 'list');
      input.setAttribute('aria-controls', 'lecture-search-matches');
      input.setAttribute('aria-expanded', 'false');
      input.setAttribute('aria-describedby', 'lecture-search-hint');
      input.setAttribute('autocomplete', 'off');
      input.addEventListener('input', listMatches);
      input.addEventListener('keydown', keydownInSearch);
      var hint = document.createElement('p');
      hint.className = 'lecture-dialog-hint';
      hint.id = 'lecture-search-hint';
      hint.textContent = 'Up and down arrows choose a match, Enter shows its slide, Escape closes.';
      var status = document.createElement('p');
      status.className = 'lecture-search-status';
      status.setAttribute('role', 'status');
      var list = document.createElement('ul');
      list.id = 'lecture-search-matches';
      list.setAttribute('role', 'listbox');
      list.setAttribute('aria-label', 'Slides that match');
      [label, input, hint, status, list].forEach(function (element) { search.appendChild(element); });
    }
    var field = search.querySelector('input');
    search.querySelector('label').textContent = document.body.classList.contains('remark-presenter-mode') ?
      'Words on a slide or in its notes' : 'Words on a slide';
    readSlides();
    showDialog(search, field);
    field.select();
    listMatches();
  }

  // --- the tool bar ---------------------------------------------------------------------------
  function addToolBar() {
    var bar = document.createElement('div');
    bar.className = 'lecture-tools';
    [['Overview', 'o', toggleOverview], ['Search', '/', openSearch]].forEach(function (tool) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = tool[0];
      var keys = shortcutOf(tool[1]);
      if (keys) button.setAttribute('aria-keyshortcuts', keys);
      button.title = tool[0] + (keys ? ' (' + keys + ')' : '');
      button.addEventListener('click', tool[2]);
      bar.appendChild(button);
    });
    // Enter or Space presses a button here, and must not also turn the slide (remark's keys).
    bar.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
    });
    var controls = document.querySelector('.lecture-page-controls');
    document.body.insertBefore(bar, controls ? controls.nextSibling : document.body.firstChild);
    // The room sees the slide, not the bar: it goes 3 s after the mouse last moved, and comes
    // back with the mouse or the focus (page_tools.css); a touch screen always shows it.
    var idle = null;
    function moved() {
      bar.classList.remove('lecture-tools-idle');
      clearTimeout(idle);
      idle = setTimeout(function () { bar.classList.add('lecture-tools-idle'); }, 3000);
    }
    document.addEventListener('mousemove', moved, {passive: true});
    moved();
  }

  window.lecture.addShortcut('o', toggleOverview);
  window.lecture.addShortcut('/', openSearch);
  addToolBar();
})();
