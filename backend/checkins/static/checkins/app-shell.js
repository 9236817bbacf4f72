/* The volunteer's pages as an installable app (no dependencies, no CDN).
 *
 * Registers the service worker (/v/sw.js, Workbox); on her home page, keeps a copy of her
 * home, her children's pages and the check-in forms for a cold start without signal; shows
 * when a page is such a copy; and on signing out forgets every copy and waiting entry, so the
 * next person on this phone sees nothing of hers.
 */
(function () {
  "use strict";
  var PAGES = "cm-v-pages";
  var STATIC = "cm-v-static";
  var WARMED = "checkins.warmed.v1";
  var WARM_EVERY_MS = 10 * 60 * 1000;

  function clearOffline(keepQueue) {
    try {
      if (!keepQueue) localStorage.removeItem("checkins.queue.v1");
      localStorage.removeItem(WARMED);
    } catch (e) { /* disabled */ }
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("cm-v-") === 0 || k.indexOf("workbox") === 0; })
        .map(function (k) { return caches.delete(k); }));
    }).catch(function () { /* nothing kept */ });
  }

  function keep(cacheName, urls) {
    return caches.open(cacheName).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url, response);
        }).catch(function () { /* offline: keep the copy we have */ });
      }));
    });
  }

  function warm() {
    var list = document.getElementById("offline-urls");
    if (!list || !window.caches || !navigator.onLine) return Promise.resolve();
    var urls = JSON.parse(list.textContent || "[]");
    var stamp = JSON.stringify(urls);
    try {
      var last = JSON.parse(localStorage.getItem(WARMED) || "{}");
      if (last.urls === stamp && Date.now() - last.at < WARM_EVERY_MS) return Promise.resolve();
    } catch (e) { /* warm again */ }
    var assets = [];
    document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]").forEach(function (el) {
      assets.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    return Promise.all([keep(PAGES, urls), keep(STATIC, assets)]).then(function () {
      try { localStorage.setItem(WARMED, JSON.stringify({ urls: stamp, at: Date.now() })); } catch (e) { /* full */ }
      document.body.setAttribute("data-offline-ready", "1");
    });
  }

  function showStamp() {
    var stamp = document.getElementById("offline-stamp");
    if (!stamp) return;
    var made = Date.parse(stamp.getAttribute("data-rendered-at"));
    var old = !isNaN(made) && Date.now() - made > WARM_EVERY_MS;
    stamp.querySelector("span").textContent = stamp.getAttribute("data-rendered-words");
    stamp.hidden = navigator.onLine && !old;
  }

  function onSignOut(event) {
    var form = event.target;
    var waiting = window.checkinQueue ? window.checkinQueue.waiting().length : 0;
    if (waiting && !window.confirm(form.getAttribute("data-confirm").replace("{n}", String(waiting)))) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    clearOffline(false).then(function () { form.submit(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var shell = body.getAttribute("data-app-shell");
    if (shell === "clear" || shell === "pages") {
      // Signed out: forget her pages; after an explicit sign-out, her waiting entries too.
      clearOffline(shell === "pages");
      return;
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/v/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(warm).catch(function () { /* no app shell: the pages still work online */ });
    }
    showStamp();
    var signOut = document.getElementById("sign-out");
    if (signOut) signOut.addEventListener("submit", onSignOut);
  });
  window.addEventListener("online", showStamp);
  window.addEventListener("offline", showStamp);
  window.appShell = { clearOffline: clearOffline, warm: warm };
})();
