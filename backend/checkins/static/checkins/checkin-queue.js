/* Offline queue for check-ins (no dependencies, no CDN).
 *
 * On the check-in form, an entry is first stored in localStorage with its client_key (a
 * uuid from the server), then sent to /api/checkins/. Without signal it stays stored and
 * is listed as "waiting to be sent" until the connection returns; the server records a
 * client_key once, so a resend after a lost answer never records twice. Entries with a
 * photo are posted as a normal form (photos are not kept on the phone).
 */
(function () {
  "use strict";
  var KEY = "checkins.queue.v1";
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { localStorage.setItem(KEY, JSON.stringify(queue)); } catch (e) { /* storage full or disabled */ }
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render() {
    var box = document.getElementById("pending");
    var list = document.getElementById("pending-list");
    if (!box || !list) return;
    var queue = load();
    list.textContent = "";
    queue.forEach(function (entry) {
      var li = document.createElement("li");
      li.textContent = entry.label + (entry.error ? "（未能保存 / not saved：" + entry.error + "）" : "");
      li.setAttribute("data-client-key", entry.body.client_key);
      list.appendChild(li);
    });
    box.hidden = queue.length === 0;
  }

  function send(entry) {
    return fetch("/api/checkins/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(entry.body)
    });
  }

  function flush() {
    if (sending) return Promise.resolve();
    var queue = load();
    if (!queue.length) { render(); return Promise.resolve(); }
    sending = true;
    var i = 0;
    function next() {
      queue = load();
      if (i >= queue.length) return Promise.resolve();
      var entry = queue[i];
      if (entry.error) { i += 1; return next(); }
      return send(entry).then(function (response) {
        var current = load();
        if (response.ok) {
          save(current.filter(function (e) { return e.body.client_key !== entry.body.client_key; }));
        } else if (response.status === 400) {
          return response.json().then(function (data) {
            var message = (data && (data.detail || JSON.stringify(data))) || String(response.status);
            current.forEach(function (e) { if (e.body.client_key === entry.body.client_key) e.error = message; });
            save(current);
            i += 1;
          });
        } else {
          throw new Error("HTTP " + response.status); // signed out or server trouble: try later
        }
      }).then(function () { render(); return next(); });
    }
    return next().catch(function () { /* still offline */ }).then(function () { sending = false; render(); });
  }

  function entryFrom(form) {
    var data = new FormData(form);
    var children = data.getAll("child").map(function (v) { return parseInt(v, 10); });
    var body = {
      children: children,
      kind: data.get("kind"),
      client_key: data.get("client_key"),
      occurred_on: data.get("occurred_on") || undefined,
      note: data.get("note") || "",
      worried: data.get("worried") === "on"
    };
    var minutes = data.get("duration_minutes");
    if (minutes) body.duration_minutes = parseInt(minutes, 10);
    var title = document.querySelector(".card h2");
    var label = (body.occurred_on || "") + " " + (title ? title.textContent.trim() : "") + " " + body.kind;
    return { body: body, label: label, queued_at: new Date().toISOString() };
  }

  function keptOnPhone(form) {
    var note = document.getElementById("kept-on-phone");
    if (note) note.hidden = false;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    render();
  }

  function onSubmit(event) {
    var form = event.target;
    var photo = form.querySelector("input[type=file]");
    if (photo && photo.files && photo.files.length && navigator.onLine) return; // a normal upload
    event.preventDefault();
    var entry = entryFrom(form);
    var queue = load().filter(function (e) { return e.body.client_key !== entry.body.client_key; });
    queue.push(entry);
    save(queue);
    send(entry).then(function (response) {
      if (response.ok) {
        save(load().filter(function (e) { return e.body.client_key !== entry.body.client_key; }));
        window.location.href = "/v/?saved=1";
      } else if (response.status === 400) {
        // Let the server render the errors next to the fields.
        save(load().filter(function (e) { return e.body.client_key !== entry.body.client_key; }));
        form.removeEventListener("submit", onSubmit);
        form.submit();
      } else {
        keptOnPhone(form);
      }
    }).catch(function () {
      keptOnPhone(form); // no signal: it waits on the phone and goes when the connection returns
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("checkin-form");
    if (form && window.fetch && window.localStorage && window.FormData) form.addEventListener("submit", onSubmit);
    render();
    flush();
  });
  window.addEventListener("online", flush);
  window.checkinQueue = { load: load, flush: flush };
})();
