// reveal: a button with data-reveal="id" shows the element with that id (e.g. the reason form
// before an ID number is revealed) and hides itself.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reveal]");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("data-reveal"));
    if (!target) return;
    event.preventDefault();
    target.hidden = false;
    button.hidden = true;
    var first = target.querySelector("input, select, textarea");
    if (first) first.focus();
  });
})();
