/* The portal on a phone's home screen, and offline: hub's service worker.
   Pages come from the network whenever it answers (never a stale page while online),
   and each page read is kept; offline, a kept page is shown, else the offline page.
   The home page and each section's newest list are kept at install. Search is live:
   offline it shows the offline page. The theme's files (?v= addresses, which never
   change) come from the cache first. Written by every publish; a new version (new
   theme files, new sections) replaces the old cache. */
const CACHE = "hub-62ad5fe30b1ce978";
const OFFLINE = "/offline.html";
const STATIC = "/static/";
const SEARCH = "/search";
const PRECACHE = ["/", "/offline.html", "/static/style.css?v=1a3f9f1cfd", "/static/aids.js?v=1e8fd7eb5e", "/static/favicon.svg?v=984e6226a9", "/c/zhenjie/", "/c/yiyou/", "/c/qita/"];

// a reader who asked to save data gets the offline page and the theme, not the lists
const SAVE_DATA = Boolean(self.navigator.connection && self.navigator.connection.saveData);

self.addEventListener("install", (event) => {
  const wanted = SAVE_DATA ? PRECACHE.slice(0, 5) : PRECACHE;
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(wanted)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("hub-") && key !== CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const live = url.pathname.startsWith(SEARCH);
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => (live ? response : keep(request, response)))
        .catch(() => caches.match(request).then((kept) => kept || caches.match(OFFLINE)))
    );
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(
      caches.match(request).then((kept) => kept || fetch(request).then((r) => keep(request, r)))
    );
  }
});
