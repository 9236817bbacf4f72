// qr-scan: a button with data-qr-scan="#input" reads a QR code with the phone's camera
// (BarcodeDetector, where the browser has it), puts its text in the input and submits the form.
// Without it the button stays hidden and staff type or paste the code.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  document.querySelectorAll("[data-qr-scan]").forEach(function (button) {
    var form = button.closest("form");
    var input = document.querySelector(button.getAttribute("data-qr-scan"));
    var video = form.querySelector("[data-qr-video]");
    button.classList.remove("ws-hidden");
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.classList.remove("ws-hidden");
        video.play();
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              input.value = codes[0].rawValue;
              form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }, function () { window.requestAnimationFrame(look); });
        };
        look();
      });
    });
  });
})();
