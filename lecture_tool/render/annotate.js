/* Strokes on the slides (annotations.py has the format). Every window shows the strokes saved
   with the deck; the presenter view (remark's `p`) has a toolbar to draw more: a pen, a
   highlighter, an eraser, a blank board for the slide shown, and clearing. What is drawn shows
   at once in the windows remark cloned from it (`c`) and, under `lecture serve --follow`, on
   the followers' screens; it is saved beside the deck when the server can save it. */
(function () {
  'use strict';

  var keysElement = document.getElementById('lecture-annotation-keys');
  if (!window.slideshow || !keysElement) return;  // a course's own deck.html may not have it
  var info = JSON.parse(keysElement.textContent);
  var keys = info.keys;
  var SVG = 'http://www.w3.org/2000/svg';
  var MESSAGE = 'lectureAnnotate';  // what marks our messages among remark's own
  // Widths are fractions of the slide's width; the highlighter is wide and seen through.
  var TOOLS = {
    pen: {color: '#d62728', width: 0.003, opacity: 1},
    highlighter: {color: '#ffd500', width: 0.02, opacity: 0.4}
  };
  var ERASER_REACH = 0.012;  // of the slide's height, around the pointer

  var saved = window.lectureAnnotations && window.lectureAnnotations.slides;
  // key -> {strokes: [...], board: null | {strokes: [...]}}; slides no longer in the deck stay.
  var slides = saved ? JSON.parse(JSON.stringify(saved)) : {};
  var boardShown = {};  // key -> whether its blank board is up, in this window and those it drives
  var tool = null;  // 'pen', 'highlighter', 'eraser' or null (the pointer does what remark does)
  var clones = [];  // windows remark cloned from this one, which show what is drawn here
  var live = window.lectureLive || null;  // `lecture serve`'s, when the page is served
  var status = null;
  var buttons = {};

  function containers() {
    return document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  }

  function entry(key, make) {
    if (!slides[key] && make) slides[key] = {strokes: [], board: null};
    return slides[key] || {strokes: [], board: null};
  }

  function size(container) {
    var scaler = container.querySelector('.remark-slide-scaler');
    return {scaler: scaler, width: parseFloat(scaler.style.width) || 908,
            height: parseFloat(scaler.style.height) || 681};
  }

  function pathData(points, width, height) {
    return points.map(function (point, n) {
      return (n ? 'L' : 'M') + (point[0] * width).toFixed(1) + ' ' + (point[1] * height).toFixed(1);
    }).join(' ') + (points.length === 1 ? ' l0.01 0' : '');  // a dot is a stroke too
  }

  function strokeElement(stroke, width, height) {
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', pathData(stroke.points, width, height));
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', stroke.color);
    path.setAttribute('stroke-width', String(stroke.width * width));
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    if (stroke.tool === 'highlighter') path.setAttribute('stroke-opacity', String(TOOLS.highlighter.opacity));
    return path;
  }

  // The layer over one slide, drawn in the slide's own pixels (remark scales the slide, and the
  // layer with it): the same strokes fit any window.
  function layer(container) {
    var found = size(container);
    var svg = found.scaler.querySelector(':scope > svg.lecture-ink');
    if (!svg) {
      svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('class', 'lecture-ink');
      svg.setAttribute('aria-hidden', 'true');
      svg.setAttribute('focusable', 'false');
      found.scaler.appendChild(svg);
    }
    svg.setAttribute('viewBox', '0 0 ' + found.width + ' ' + found.height);
    return {svg: svg, width: found.width, height: found.height};
  }

  // Draws a slide's strokes, or its blank board when that is up (`board`: the board, printed
  // as a page of its own).
  function drawInto(container, key, board) {
    var own = entry(key, false);
    var showBoard = board && own.board;
    var active = Boolean(tool) && isCurrent(container);
    if (!showBoard && !own.strokes.length && !active) {
      // No layer over a slide with nothing on it: a layer over the text would keep an audit
      // (axe's contrast rule) from telling the text's background.
      var unused = container.querySelector('svg.lecture-ink');
      if (unused) unused.remove();
      return null;
    }
    var ink = layer(container);
    while (ink.svg.firstChild) ink.svg.removeChild(ink.svg.firstChild);
    ink.svg.classList.toggle('lecture-ink-board', Boolean(showBoard));
    if (showBoard) {
      var sheet = document.createElementNS(SVG, 'rect');
      sheet.setAttribute('width', String(ink.width));
      sheet.setAttribute('height', String(ink.height));
      sheet.setAttribute('fill', '#ffffff');
      ink.svg.appendChild(sheet);
    }
    (showBoard ? own.board.strokes : own.strokes).forEach(function (stroke) {
      ink.svg.appendChild(strokeElement(stroke, ink.width, ink.height));
    });
    ink.svg.classList.toggle('lecture-ink-active', active);
    return ink;
  }

  function isCurrent(container) {
    return containers()[window.slideshow.getCurrentSlideIndex()] === container;
  }

  function render(index) {
    var all = containers();
    // remark's slides are counted by their place: while they are not all there, wait.
    if (all.length !== keys.length || !all[index]) return;
    drawInto(all[index], keys[index], boardShown[keys[index]]);
  }

  function renderAll() {
    for (var i = 0; i < keys.length; i++) render(i);
  }

  function renderKey(key) {
    var index = keys.indexOf(key);
    if (index >= 0) render(index);
  }

  // --- telling the other windows -------------------------------------------------------------
  function send(message) {
    message[MESSAGE] = 1;
    clones = clones.filter(function (clone) { return !clone.closed; });
    clones.forEach(function (clone) { clone.postMessage(message, '*'); });
    // Under `lecture serve --follow`, the presenter's strokes go to every follower too.
    if (live && live.role !== 'follower' && typeof live.broadcast === 'function') live.broadcast(message);
  }

  function receive(message) {
    if (!message || !message[MESSAGE]) return;
    if (message.slides) {
      slides = message.slides;
      boardShown = message.boards || {};
      renderAll();
    } else if (typeof message.key === 'string') {
      slides[message.key] = message.entry;
      boardShown[message.key] = Boolean(message.board);
      renderKey(message.key);
    }
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || !data[MESSAGE]) return;
    if (data.hello && event.source) {
      // A clone has loaded: it shows what this window shows, and is told of every stroke.
      if (clones.indexOf(event.source) < 0) clones.push(event.source);
      event.source.postMessage(fullState(), '*');
    } else if (event.source === window.opener) {
      receive(data);
    }
  });
  window.addEventListener('lecture:broadcast', function (event) { receive(event.detail); });

  function fullState() {
    var message = {slides: slides, boards: boardShown};
    message[MESSAGE] = 1;
    return message;
  }

  // --- saving ---------------------------------------------------------------------------------
  var saveTimer = null;

  function canSave() {
    return Boolean(live && live.canSave && typeof live.saveAnnotations === 'function');
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function scheduleSave() {
    if (!canSave()) {
      say('Not saved: strokes are saved beside the deck only when it is opened through ' +
          '`lecture serve`.');
      return;
    }
    say('Saving…');
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      var body = JSON.stringify({format: 1, slides: slides});
      Promise.resolve(live.saveAnnotations(info.stem, body)).then(function () {
        say('Saved');
      }, function (error) {
        say('Not saved: ' + (error && error.message ? error.message : String(error)));
      });
    }, 600);
  }

  function changed(key) {
    renderKey(key);
    send({key: key, entry: entry(key, false), board: Boolean(boardShown[key])});
    scheduleSave();
  }

  // --- drawing --------------------------------------------------------------------------------
  function currentKey() {
    return keys[window.slideshow.getCurrentSlideIndex()];
  }

  function strokesShown(key) {
    var own = entry(key, true);
    return boardShown[key] && own.board ? own.board.strokes : own.strokes;
  }

  function pointOf(event, svg) {
    var box = svg.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width;
    var y = (event.clientY - box.top) / box.height;
    return [Math.round(Math.min(1, Math.max(0, x)) * 1e5) / 1e5,
            Math.round(Math.min(1, Math.max(0, y)) * 1e5) / 1e5];
  }

  function erase(key, point, aspect) {
    var strokes = strokesShown(key);
    var kept = strokes.filter(function (stroke) {
      return !stroke.points.some(function (p) {
        var reach = ERASER_REACH + stroke.width * aspect / 2;
        return Math.hypot((p[0] - point[0]) * aspect, p[1] - point[1]) <= reach;
      });
    });
    if (kept.length === strokes.length) return false;
    strokes.length = 0;
    Array.prototype.push.apply(strokes, kept);
    return true;
  }

  var drawing = null;  // the stroke under way: {key, stroke, path, svg, size}

  document.addEventListener('pointerdown', function (event) {
    var svg = event.target.closest && event.target.closest('svg.lecture-ink-active');
    if (!svg || !tool || event.button > 0) return;
    event.preventDefault();
    var key = currentKey();
    var found = size(svg.closest('.remark-slide-container'));
    svg.setPointerCapture(event.pointerId);
    var aspect = found.width / found.height;
    if (tool === 'eraser') {
      drawing = {key: key, eraser: true, svg: svg, aspect: aspect, erased: erase(key, pointOf(event, svg), aspect)};
      if (drawing.erased) renderKey(key);
      return;
    }
    var stroke = {tool: tool, color: TOOLS[tool].color, width: TOOLS[tool].width, points: [pointOf(event, svg)]};
    var path = strokeElement(stroke, found.width, found.height);
    svg.appendChild(path);
    drawing = {key: key, stroke: stroke, path: path, svg: svg, size: found};
  });

  document.addEventListener('pointermove', function (event) {
    if (!drawing) return;
    var point = pointOf(event, drawing.svg);
    if (drawing.eraser) {
      if (erase(drawing.key, point, drawing.aspect)) {
        drawing.erased = true;
        renderKey(drawing.key);
      }
      return;
    }
    var points = drawing.stroke.points;
    var last = points[points.length - 1];
    if (Math.abs(last[0] - point[0]) + Math.abs(last[1] - point[1]) < 0.001) return;
    points.push(point);
    drawing.path.setAttribute('d', pathData(points, drawing.size.width, drawing.size.height));
  });

  function finish() {
    if (!drawing) return;
    var done = drawing;
    drawing = null;
    if (done.eraser) {
      if (done.erased) changed(done.key);
      return;
    }
    strokesShown(done.key).push(done.stroke);
    changed(done.key);
  }
  document.addEventListener('pointerup', finish);
  document.addEventListener('pointercancel', finish);
  // remark turns the slide on a swipe: a stroke drawn with a finger is not one.
  ['touchstart', 'touchmove', 'touchend'].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target.closest && event.target.closest('svg.lecture-ink-active')) event.stopPropagation();
    }, true);
  });

  // --- the toolbar ----------------------------------------------------------------------------
  function chooseTool(name) {
    tool = tool === name ? null : name;
    ['pen', 'highlighter', 'eraser'].forEach(function (each) {
      buttons[each].setAttribute('aria-pressed', String(tool === each));
    });
    document.body.classList.toggle('lecture-drawing', Boolean(tool));
    render(window.slideshow.getCurrentSlideIndex());  // the layer over it takes the pen, or not
  }

  function toggleBoard() {
    var key = currentKey();
    var own = entry(key, true);
    if (!own.board) own.board = {strokes: []};
    boardShown[key] = !boardShown[key];
    showBoardState();
    changed(key);
  }

  function showBoardState() {
    buttons.board.setAttribute('aria-pressed', String(Boolean(boardShown[currentKey()])));
  }

  function clear() {
    var key = currentKey();
    var own = entry(key, true);
    if (boardShown[key] && own.board) {
      own.board = null;  // the board goes, with what was on it
      boardShown[key] = false;
      showBoardState();
    } else {
      own.strokes = [];
    }
    changed(key);
  }

  function button(name, label, action, pressed) {
    var element = document.createElement('button');
    element.type = 'button';
    element.className = 'lecture-annotate-' + name;
    element.textContent = label;
    if (pressed) element.setAttribute('aria-pressed', 'false');
    element.addEventListener('click', action);
    buttons[name] = element;
    return element;
  }

  function addToolbar() {
    var bar = document.createElement('div');
    bar.className = 'lecture-annotate-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Draw on the slide');
    bar.appendChild(button('pen', 'Pen', function () { chooseTool('pen'); }, true));
    bar.appendChild(button('highlighter', 'Highlighter', function () { chooseTool('highlighter'); }, true));
    bar.appendChild(button('eraser', 'Eraser', function () { chooseTool('eraser'); }, true));
    bar.appendChild(button('board', 'Blank board', toggleBoard, true));
    bar.appendChild(button('clear', 'Clear', clear, false));
    status = document.createElement('span');
    status.className = 'lecture-annotate-status';
    status.setAttribute('role', 'status');
    bar.appendChild(status);
    // Space and Enter on a button press it: they must not turn the slide too (remark listens on
    // the window).
    bar.addEventListener('keydown', function (event) {
      if (event.key === ' ' || event.key === 'Enter') event.stopPropagation();
    });
    bar.addEventListener('keypress', function (event) { event.stopPropagation(); });
    document.body.appendChild(bar);
    if (!canSave()) {
      say(live ? 'Strokes drawn here are shown, not saved: only the presenter saves them.'
               : 'Strokes drawn here are not saved: open the deck with `lecture serve` to save them.');
    }
  }

  addToolbar();
  renderAll();
  // Only the slide left and the slide shown change (the layer that takes the pen moves): a
  // deck drawn all over takes a few hundred milliseconds to draw whole (bench_annotations.py).
  var shownIndex = window.slideshow.getCurrentSlideIndex();
  window.slideshow.on('afterShowSlide', function (slide) {
    showBoardState();
    var left = shownIndex;
    shownIndex = slide.getSlideIndex();
    setTimeout(function () {  // remark counts the slide as the current one just after this event
      render(left);
      render(shownIndex);
    }, 0);
  });
  // remark makes the slides again when the deck is loaded again (`lecture serve`'s update).
  var area = document.querySelector('.remark-slides-area');
  if (area && window.MutationObserver) new MutationObserver(renderAll).observe(area, {childList: true});
  if (window.opener && window.opener !== window) {
    var hello = {hello: true};
    hello[MESSAGE] = 1;
    try { window.opener.postMessage(hello, '*'); } catch (error) { /* the opener is gone */ }
  }

  // What `lecture pdf --annotated` asks: the strokes shown, and a slide's board as a page.
  window.lectureAnnotate = {
    keys: keys,
    hasBoard: function (index) { return Boolean(entry(keys[index], false).board); },
    drawBoard: function (container, index) { drawInto(container, keys[index], true); },
    renderAll: renderAll,
    // `lecture serve`'s in-place update of an edited deck: the edited deck's keys (its page's
    // #lecture-annotation-keys), and, when the file changed, its strokes (window.lectureAnnotations
    // of its new script). The strokes drawn here stay as they are.
    update: function (newInfo, newAnnotations) {
      keys = newInfo.keys;
      this.keys = keys;
      if (newAnnotations && newAnnotations.slides) {
        Object.keys(newAnnotations.slides).forEach(function (key) {
          if (!slides[key]) slides[key] = newAnnotations.slides[key];
        });
      }
      renderAll();
    }
  };
})();
