// A proposal page's small map: one marker at the proposal's point, from data-* attributes of
// #point-map (no inline script under the CSP). The coordinates stay written out beside it.
(function () {
  "use strict";

  var element = document.getElementById("point-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var data = element.dataset;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var position = [Number(data.lat), Number(data.lon)];
  element.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false, keyboard: false }).setView(position, 16);
  L.tileLayer(data.tileUrl, {
    maxZoom: 19,
    attribution: escapeHtml(data.attribution || ""),
    referrerPolicy: "strict-origin-when-cross-origin"
  }).addTo(map);
  L.marker(position, { title: data.title, keyboard: false }).addTo(map);
})();
