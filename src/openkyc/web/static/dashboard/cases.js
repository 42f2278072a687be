// Case page: zoom and rotate each image (no library; every image works without this script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-evidence]").forEach(function (figure) {
    var img = figure.querySelector("img");
    var tools = figure.querySelector(".tools");
    if (!img || !tools) return;
    tools.hidden = false;
    var zoom = 1, turn = 0;
    function apply() {
      img.style.transform = "scale(" + zoom + ") rotate(" + turn + "deg)";
      figure.classList.toggle("enlarged", zoom > 1);
    }
    figure.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (button && button.hasAttribute("data-zoom")) {
        zoom = button.getAttribute("data-zoom") === "in" ? Math.min(zoom * 1.5, 6) : Math.max(zoom / 1.5, 1);
      } else if (button && button.hasAttribute("data-rotate")) {
        turn = (turn + 90) % 360;
      } else if (button && button.hasAttribute("data-reset")) {
        zoom = 1; turn = 0;
      } else if (event.target === img) {
        zoom = zoom > 1 ? 1 : 2;
      } else {
        return;
      }
      apply();
    });
  });
});
