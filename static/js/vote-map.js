// The map view of a ballot: one marker per project of the list that has a location. Choosing
// from a marker changes the list's own input (checkbox, points or rank) and sends it a change
// event, so the server recounts through the same htmx request as the list. The list stays the
// primary view; the map only reads it. Configured from data-* attributes (strict CSP).
(function () {
  "use strict";

  var element = document.getElementById("ballot-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var data = element.dataset;
  var map = L.map(element, { scrollWheelZoom: false }).setView([0, 0], 2);
  L.tileLayer(data.tileUrl, {
    maxZoom: 19,
    attribution: String(data.attribution || "").replace(/[&<>"']/g, ""),
    referrerPolicy: "strict-origin-when-cross-origin"
  }).addTo(map);
  var markers = L.layerGroup().addTo(map);
  var outlines = null;
  var fitted = false;

  function inputOf(item) {
    return document.getElementById(item.dataset.input);
  }

  function popup(item) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    title.textContent = item.dataset.title;
    box.appendChild(title);
    var input = inputOf(item);
    if (input && (input.type === "checkbox" || input.type === "radio")) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = input.checked ? data.remove : data.choose;
      button.disabled = input.disabled;
      button.addEventListener("click", function () {
        input.checked = input.type === "radio" ? true : !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        map.closePopup();
      });
      box.appendChild(button);
    }
    var link = document.createElement("a");
    link.href = "#" + item.id;
    link.textContent = data.go;
    link.addEventListener("click", function () {
      if (input) {
        window.setTimeout(function () { input.focus(); }, 0);
      }
    });
    box.appendChild(document.createElement("br"));
    box.appendChild(link);
    return box;
  }

  function draw() {
    markers.clearLayers();
    var bounds = L.latLngBounds([]);
    document.querySelectorAll(".ballot-project[data-lat]").forEach(function (item) {
      var position = [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)];
      var chosen = item.classList.contains("ballot-project--chosen");
      var marker = L.circleMarker(position, {
        radius: chosen ? 11 : 8,
        color: "#0b4f9c",
        weight: 2,
        fillColor: chosen ? "#0b4f9c" : "#ffffff",
        fillOpacity: 0.9,
        className: "ballot-marker"
      });
      marker.bindTooltip(item.dataset.title);
      marker.bindPopup(function () { return popup(item); });
      markers.addLayer(marker);
      bounds.extend(position);
    });
    if (outlines && outlines.getLayers().length) {
      bounds.extend(outlines.getBounds());
    }
    if (!fitted && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16, animate: false });
      fitted = true;
    }
  }

  fetch(data.districtsUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      outlines = L.geoJSON(collection, { style: { color: "#0b4f9c", weight: 2, fillOpacity: 0.05 } });
      outlines.addTo(map);
      outlines.bringToBack();
      fitted = false;
      draw();
    })
    .catch(function () {
      var message = document.getElementById("map-error");
      if (message) {
        message.hidden = false;
      }
    });

  draw();
  document.body.addEventListener("htmx:afterSwap", draw);
})();
