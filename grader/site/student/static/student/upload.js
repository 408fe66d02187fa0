// The upload form's drop zone: files dropped on it become the file input's, as if chosen.
// Without this script the input works as it is (the form needs no script).
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var chosen = document.getElementById("chosen");

  function show() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    // textContent: a file's name is the student's text, never markup
    chosen.textContent = names.length ? zone.getAttribute("data-chosen").replace("%(files)s", names.join(", ")) : "";
  }

  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  zone.addEventListener("dragleave", function (event) {
    if (!zone.contains(event.relatedTarget)) { zone.classList.remove("over"); }
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
}());
