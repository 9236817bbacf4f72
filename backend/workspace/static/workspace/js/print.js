// print: a button with data-print opens the browser's print dialog (the A4 file view).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-print]")) return;
    event.preventDefault();
    window.print();
  });
})();
