// A submission's page, live: while it waits or is graded, ask the API for its state every 500 ms
// and write it into the page; once graded, show the score and the grades and load the report.
// Every text from the API goes in through textContent: what a student wrote is never markup.
(function () {
  "use strict";
  var box = document.getElementById("status");
  var labels = document.getElementById("labels");
  if (!box || !labels || box.getAttribute("data-poll") !== "1") { return; }
  var WAITING = { queued: true, running: true };
  var shown = null;

  function label(kind, key) { return labels.getAttribute("data-" + kind + "-" + key) || key; }
  function byId(id) { return document.getElementById(id); }
  function number(value) { return value === null || value === undefined ? "–" : String(Math.round(value * 100) / 100); }
  function points(score, max) { return number(score) + " / " + number(max); }
  function make(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = text; }
    if (className) { el.className = className; }
    return el;
  }

  function gradeTable(exercise) {
    var wrap = make("div", null, "table-wrap");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", exercise.title);
    var table = make("table");
    var caption = make("caption");
    caption.appendChild(make("span", exercise.title, "part"));
    caption.appendChild(make("span", label("outcome", exercise.status), "part outcome outcome-" + exercise.status));
    if (exercise.score !== null) { caption.appendChild(make("span", points(exercise.score, exercise.max_score), "part")); }
    table.appendChild(caption);
    var head = make("thead");
    var row = make("tr");
    ["check", "status", "points", "message"].forEach(function (col) {
      var th = make("th", labels.getAttribute("data-col-" + col));
      th.scope = "col";
      row.appendChild(th);
    });
    head.appendChild(row);
    table.appendChild(head);
    var body = make("tbody");
    exercise.checks.forEach(function (check) {
      var tr = make("tr");
      var name = make("td");
      name.appendChild(make("code", check.name));
      tr.appendChild(name);
      var status = make("td");
      status.appendChild(make("span", label("outcome", check.status), "outcome outcome-" + check.status));
      tr.appendChild(status);
      tr.appendChild(make("td", points(check.score, check.max_score)));
      tr.appendChild(make("td", (check.message || "").trim().split("\n")[0]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  function update(s) {
    if (s.state !== shown) {
      var state = byId("state");
      state.textContent = label("state", s.state);
      state.className = "state state-" + s.state;
      ["not_graded", "superseded"].forEach(function (which) {
        var note = byId("note-" + which);
        if (note) { note.hidden = s.state !== which; }
      });
      shown = s.state;
    }
    byId("queue-info").hidden = s.state !== "queued";
    byId("position").textContent = s.position === null ? "–" : String(s.position + 1);
    byId("wait").textContent = s.estimated_wait_seconds === null ? labels.getAttribute("data-wait-unknown")
      : labels.getAttribute("data-wait-template").replace("%(seconds)s", String(Math.round(s.estimated_wait_seconds)));
    byId("counts").hidden = !s.counts;
    if (s.score !== null) {
      byId("score").textContent = points(s.score, s.max_score);
      byId("score-info").hidden = false;
    }
    if (s.state === "graded") {
      var tables = byId("grade-tables");
      tables.textContent = "";
      s.exercises.forEach(function (exercise) { tables.appendChild(gradeTable(exercise)); });
      byId("grades").hidden = s.exercises.length === 0;
      byId("report").src = box.getAttribute("data-report-url");
      byId("report-section").hidden = false;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (s) {
        update(s);
        if (WAITING[s.state]) { window.setTimeout(poll, 500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });  // the site is away a moment: ask again, slower
  }

  window.setTimeout(poll, 500);
}());
