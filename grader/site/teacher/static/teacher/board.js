// The class board keeps itself current: every 2 s it asks board.json for the cells' texts and
// changes only those that differ. Texts go in with textContent: names are students' own words.
"use strict";
(function () {
  var note = document.getElementById("board-updated");
  if (!note || !window.fetch) return;
  var url = note.dataset.url;
  var shape = note.dataset.shape;
  var failing = false;
  var EVERY = 2000;

  function apply(data) {
    var changed = false;
    Object.keys(data.texts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.textContent !== data.texts[id]) { el.textContent = data.texts[id]; changed = true; }
    });
    Object.keys(data.states).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      var state = data.states[id][0], label = data.states[id][1];
      var wanted = "state state-" + state;
      if (el.className !== wanted || el.textContent !== label) {
        el.className = wanted;
        el.textContent = label;
        el.hidden = !state;
        changed = true;
      }
    });
    if (data.shape !== shape) {
      note.textContent = note.dataset.reshaped;  // a new student or exercise: its row needs the page
    } else if (changed || failing) {
      note.textContent = data.updated;  // said only on a change: a screen reader is not told every 2 s
    }
    failing = false;
  }

  function poll() {
    if (document.hidden) { setTimeout(poll, EVERY); return; }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(apply)
      .catch(function () {
        if (!failing) { failing = true; note.textContent = note.dataset.offline; }
      })
      .then(function () { setTimeout(poll, EVERY); });
  }

  setTimeout(poll, EVERY);
})();
