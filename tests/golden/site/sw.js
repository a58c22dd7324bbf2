/* The portal on a phone's home screen, and offline: hub's service worker.
   Pages come from the network whenever it answers (never a stale page while online),
   and each page read is kept (the newest KEPT of them; a page the server says is gone
   is dropped); offline, a kept page is shown, else the offline page. The home page and
   each section's newest list are kept at install. Search is live: offline it shows the
   offline page. The theme's files (?v= addresses, which never change) come from the
   cache first. Written by every publish; a new version (new theme files, new sections)
   replaces the old cache, and only this portal's: its caches are named by its scope. */
const PREFIX = "hub:" + self.registration.scope + ":";
const CACHE = PREFIX + "62137c477be67210";
const OFFLINE = "/offline.html";
const STATIC = "/static/";
const SEARCH = "/search";
const PRECACHE = ["/", "/offline.html", "/static/style.css?v=fe886dec5e", "/static/aids.js?v=9597bcd0fc", "/static/favicon.svg?v=984e6226a9", "/c/zhenjie/", "/c/yiyou/", "/c/qita/"];
const KEPT = 200;  // pages read, besides those kept at install

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
        keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

const INSTALLED = new Set(PRECACHE.map((path) => new URL(path, self.location.origin).href));

// the oldest pages read go first (a cache lists its entries in the order they were put)
async function trim(cache) {
  const read = (await cache.keys()).filter((request) => !INSTALLED.has(request.url));
  await Promise.all(read.slice(0, Math.max(0, read.length - KEPT)).map((r) => cache.delete(r)));
}

function keep(event, request, response) {
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then(async (cache) => {
      await cache.delete(request);  // put again: the newest read is last
      await cache.put(request, copy);
      await trim(cache);
    }));
  } else if (response.status === 404 || response.status === 410) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(request)));
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
        .then((response) => (live ? response : keep(event, request, response)))
        .catch(() => caches.match(request).then((kept) => kept || caches.match(OFFLINE)))
    );
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(
      caches.match(request).then((kept) => kept || fetch(request).then((r) => keep(event, request, r)))
    );
  }
});
