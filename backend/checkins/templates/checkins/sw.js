{% load static %}/* The volunteer's app shell (/v/), built with Workbox (vendored: {{ workbox }}).
 *
 * Her pages are fetched from the network first and kept, so that with no signal the last copy
 * opens (home, her children's pages, the check-in form); the pages say when that copy was made.
 * Only her own signed-in pages are kept: never the sign-in page, a redirect or an error. Signing
 * out clears every cache (Clear-Site-Data, and app-shell.js).
 */
importScripts("{{ workbox }}");
workbox.setConfig({ modulePathPrefix: "{{ prefix }}", debug: false });

var PAGES = "cm-v-pages";
var STATIC = "cm-v-static";
var NOT_KEPT = ["/v/login/", "/v/logout/", "/v/devices/", "/v/sw.js"];

var onlyGoodAnswers = {
  cacheWillUpdate: function (args) {
    var r = args.response;
    return Promise.resolve(r && r.status === 200 && r.type === "basic" && !r.redirected ? r : null);
  }
};

workbox.routing.registerRoute(
  function (args) {
    var path = args.url.pathname;
    return args.request.mode === "navigate" && path.indexOf("/v/") === 0 &&
      !NOT_KEPT.some(function (p) { return path.indexOf(p) === 0; });
  },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 8,
    plugins: [onlyGoodAnswers],
    // Django answers "Vary: Cookie"; the cache is hers alone and is cleared when she signs out.
    matchOptions: { ignoreVary: true }
  })
);

workbox.routing.registerRoute(
  function (args) { return args.url.pathname.indexOf("{% get_static_prefix %}") === 0; },
  new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC, plugins: [onlyGoodAnswers] })
);

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
