// confirm: a form or button with data-confirm="…" asks before it submits (destructive actions).
// htmx requests use hx-confirm instead; this covers plain forms, which work without htmx.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
