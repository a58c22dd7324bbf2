/* Reading aids (适老化, GB/T 37668): 长辈模式 (larger type, more room, one column, a
   compact header on a phone), text size steps, a high-contrast scheme and reading the
   page aloud with the browser's own speech (zh-CN, no outside service). Each choice is
   remembered on this device; <head> applies them before the page is drawn. The page
   reads the same without them, and without JavaScript (the buttons stay hidden).
   Also: the service worker that keeps pages read for offline reading (sw.js). */
(function () {
  var root = document.documentElement;
  var tools = document.querySelector(".aids");
  if (!tools) return;
  var SCALES = [0.9, 1, 1.15, 1.3, 1.5];
  function remember(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode: this page only */ }
  }
  function recall(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // a toggle keeps its name; whether it is on is its aria-pressed (a name that changed
  // as well would tell a screen reader's user the opposite)
  function toggle(selector, cls, key) {
    var button = tools.querySelector(selector);
    function show(state) {
      button.setAttribute("aria-pressed", state ? "true" : "false");
    }
    show(root.classList.contains(cls));
    button.addEventListener("click", function () {
      var state = root.classList.toggle(cls);
      remember(key, state ? "1" : "0");
      show(state);
    });
  }
  toggle(".elder-toggle", "elder", "hub-elder");
  toggle(".contrast-toggle", "contrast", "hub-contrast");

  var step = parseInt(recall("hub-size") || "1", 10);
  if (!(step >= 0 && step < SCALES.length)) step = 1;
  var smaller = tools.querySelector("[data-size='-1']");
  var larger = tools.querySelector("[data-size='1']");
  function scale(to) {
    step = Math.max(0, Math.min(SCALES.length - 1, to));
    root.style.setProperty("--scale", String(SCALES[step]));
    smaller.disabled = step === 0;
    larger.disabled = step === SCALES.length - 1;
    remember("hub-size", String(step));
  }
  scale(step);
  smaller.addEventListener("click", function () { scale(step - 1); });
  larger.addEventListener("click", function () { scale(step + 1); });

  var reader = tools.querySelector(".read-aloud");
  var speech = window.speechSynthesis;
  if (speech && window.SpeechSynthesisUtterance) {
    var reading = false;
    var run = 0;  // each reading's number: the end of an earlier one stops nothing
    function stop() {
      reading = false;
      run += 1;
      speech.cancel();
      reader.setAttribute("aria-pressed", "false");
    }
    function text() {
      var main = document.querySelector(".post") || document.querySelector("main");
      return main ? main.innerText : "";
    }
    reader.addEventListener("click", function () {
      if (reading) { stop(); return; }
      speech.cancel();
      reading = true;
      run += 1;
      var mine = run;
      reader.setAttribute("aria-pressed", "true");
      var voice = speech.getVoices().filter(function (v) { return /^zh(-|_)?CN/i.test(v.lang); })[0];
      // sentence by sentence: some engines stop a long utterance half-way
      var parts = text().replace(/([。！？!?；;\n])/g, "$1\u0000").split("\u0000")
        .map(function (s) { return s.trim(); }).filter(function (s) { return s; });
      parts.forEach(function (part, n) {
        var said = new SpeechSynthesisUtterance(part);
        said.lang = "zh-CN";
        if (voice) said.voice = voice;
        if (n === parts.length - 1) said.onend = function () { if (mine === run) stop(); };
        speech.speak(said);
      });
      if (!parts.length) stop();
    });
    window.addEventListener("pagehide", function () { if (reading) speech.cancel(); });
  } else {
    reader.remove();
  }
  tools.hidden = false;

  // offline copies of the pages read, through the service worker at the site's root
  var manifest = document.querySelector("link[rel=manifest]");
  if ("serviceWorker" in navigator && window.isSecureContext && manifest) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(new URL("sw.js", manifest.href).href)
        .catch(function () { /* the pages work without it */ });
    });
  }
})();
