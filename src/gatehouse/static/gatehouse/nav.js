// Staff console menu: one group open at a time; Escape or a click elsewhere closes it.
(function () {
  "use strict";
  function groups() { return document.querySelectorAll("nav.staff details.nav-group"); }
  function closeAll(except) {
    groups().forEach(function (d) { if (d !== except) { d.open = false; } });
  }
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.matches && d.matches("details.nav-group") && d.open) { closeAll(d); }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("nav.staff")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("nav.staff details.nav-group[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
}());
