// Keyboard shortcuts for the moderation queue: j/k move, a/h/e decide, x selects.
(function () {
  function items() { return Array.from(document.querySelectorAll("#queue .queue-item")); }
  function current() { return document.activeElement && document.activeElement.closest(".queue-item"); }
  function move(step) {
    var list = items(); if (!list.length) return;
    var index = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))] || list[0];
    next.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "select" || (tag === "input" && event.target.type !== "checkbox")) return;
    if (event.key === "j") { move(1); event.preventDefault(); return; }
    if (event.key === "k") { move(-1); event.preventDefault(); return; }
    var item = current() || items()[0]; if (!item) return;
    if (event.key === "x") { var box = item.querySelector("input[type=checkbox]"); if (box) box.click(); return; }
    var button = item.querySelector('button[data-key="' + event.key + '"]');
    if (button) {
      var next = item.nextElementSibling;
      button.click();
      event.preventDefault();
      if (next && next.classList.contains("queue-item")) next.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { var first = items()[0]; if (first) first.focus(); });
})();
