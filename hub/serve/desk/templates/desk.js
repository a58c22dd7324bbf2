// The desk works without this file; it only adds conveniences: select all on the
// queue, a confirmation before destructive actions, and a note when the portal has
// caught up with the last action.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name=ids]").forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  var flash = document.querySelector(".flash");
  if (flash && window.fetch) {
    var tries = 0;
    var poll = function () {
      fetch("/status", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.done >= s.asked) {
            flash.textContent += (s.error ? "（发布失败：" + s.error + "）" : "（门户已更新）");
          } else if (++tries < 60) {
            window.setTimeout(poll, 500);
          }
        })
        .catch(function () {});
    };
    window.setTimeout(poll, 300);
  }
})();
