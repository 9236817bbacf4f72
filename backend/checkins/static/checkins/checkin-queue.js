/* Offline queue for check-ins (no dependencies, no CDN).
 *
 * On the check-in form, an entry is first stored in localStorage with its client_key, then
 * sent to /api/checkins/. Without signal it stays stored and is listed as waiting until the
 * connection returns (the `online` event or the next page load); then it is sent once and
 * listed as "已发送" for a day. The server records a client_key once, so a resend after a
 * lost answer never records twice. A refusal (e.g. the child was re-paired meanwhile) is
 * shown with the server's message and never retried. The form gets a fresh client_key each
 * time it opens, because it may be the copy the service worker kept. Entries with a photo
 * are posted as a normal form (photos are not kept on the phone).
 */
(function () {
  "use strict";
  var KEY = "checkins.queue.v1";
  var SENT_KEPT_MS = 24 * 3600 * 1000;
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { localStorage.setItem(KEY, JSON.stringify(queue)); } catch (e) { /* storage full or disabled */ }
  }
  function waiting() {
    return load().filter(function (e) { return !e.sent_at && !e.error; });
  }
  function update(clientKey, change) {
    save(load().map(function (e) { if (e.body.client_key === clientKey) change(e); return e; }));
  }
  function forget(clientKey) {
    save(load().filter(function (e) { return e.body.client_key !== clientKey; }));
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function firstMessage(data, status) {
    if (!data) return String(status);
    if (typeof data.detail === "string") return data.detail;
    for (var field in data) {
      if (field === "code") continue;
      var value = data[field];
      if (Array.isArray(value) && value.length) return String(value[0]);
      if (typeof value === "string") return value;
    }
    return String(status);
  }

  function render() {
    var box = document.getElementById("pending");
    var list = document.getElementById("pending-list");
    if (!box || !list) return;
    var now = Date.now();
    var queue = load().filter(function (e) { return !e.sent_at || now - Date.parse(e.sent_at) < SENT_KEPT_MS; });
    save(queue);
    list.textContent = "";
    queue.forEach(function (entry) {
      var li = document.createElement("li");
      var state;
      if (entry.error) { state = box.getAttribute("data-failed") + "：" + entry.error; li.className = "failed"; }
      else if (entry.sent_at) { state = box.getAttribute("data-sent"); li.className = "sent"; }
      else { state = box.getAttribute("data-waiting"); li.className = "waiting"; }
      li.textContent = entry.label + " · " + state;
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
    if (!waiting().length) { render(); return Promise.resolve(); }
    sending = true;
    function next() {
      var entry = waiting()[0];
      if (!entry) return Promise.resolve();
      var key = entry.body.client_key;
      return send(entry).then(function (response) {
        if (response.ok) {
          update(key, function (e) { e.sent_at = new Date().toISOString(); });
          return;
        }
        if (response.status === 400 || response.status === 404) {
          return response.json().catch(function () { return null; }).then(function (data) {
            update(key, function (e) { e.error = firstMessage(data, response.status); });
          });
        }
        throw new Error("HTTP " + response.status); // signed out or server trouble: try later
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
    var label = (body.occurred_on || "") + " " + (form.getAttribute("data-label") || "");
    return { body: body, label: label.trim(), queued_at: new Date().toISOString() };
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
        forget(entry.body.client_key);
        window.location.href = "/v/?saved=1";
      } else if (response.status === 400) {
        // Let the server render the errors next to the fields.
        forget(entry.body.client_key);
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
    if (form && window.fetch && window.localStorage && window.FormData) {
      var key = form.querySelector("input[name=client_key]");
      // The page may be the copy kept for offline use: every opening is a new entry.
      if (key && !document.querySelector(".field-error")) key.value = newKey();
      form.addEventListener("submit", onSubmit);
    }
    render();
    flush();
  });
  window.addEventListener("online", flush);
  window.checkinQueue = { load: load, flush: flush, waiting: waiting };
})();
