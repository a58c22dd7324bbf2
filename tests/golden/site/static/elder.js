/* 长辈模式 (elderly mode): larger type, stronger contrast, more spacing; remembered on
   this device. The page reads the same without it, and without JavaScript. */
(function () {
  var root = document.documentElement;
  var button = document.querySelector(".elder-toggle");
  if (!button) return;
  function show(on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "退出长辈模式" : "长辈模式";
  }
  show(root.classList.contains("elder"));
  button.hidden = false;
  button.addEventListener("click", function () {
    var on = root.classList.toggle("elder");
    try { localStorage.setItem("hub-elder", on ? "1" : "0"); } catch (e) { /* private mode */ }
    show(on);
  });
})();
