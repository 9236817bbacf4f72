// select-all: a checkbox with data-select-all="name" ticks or clears every checkbox of that name.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    var name = box.getAttribute && box.getAttribute("data-select-all");
    if (!name) return;
    var scope = box.form || document;
    scope.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
      if (!other.disabled) other.checked = box.checked;
    });
  });
})();
