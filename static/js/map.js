// The proposals map (and the funded projects' map): Leaflet, configured only from data-*
// attributes of #proposal-map (the CSP allows no inline script). Markers come from the same
// filters as the list (proposals.geojson or projects.geojson; each links to its page), district
// outlines from districts.geojson when the page names it. Titles are set as text, never as HTML.
(function () {
  "use strict";

  var element = document.getElementById("proposal-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var data = element.dataset;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popup(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = "#" + properties.id + " " + properties.title;
    var status = document.createElement("p");
    status.textContent = properties.status_label;
    if (properties.thumb) {
      var image = document.createElement("img");
      image.src = properties.thumb;
      image.alt = properties.thumb_alt || "";
      image.width = 160;
      image.className = "map-thumb";
      box.appendChild(image);
    }
    box.appendChild(link);
    box.appendChild(status);
    return box;
  }

  var map = L.map(element, { scrollWheelZoom: false }).setView([0, 0], 2);
  L.tileLayer(data.tileUrl, {
    maxZoom: 19,
    attribution: escapeHtml(data.attribution || ""),
    // Pages send no Referer (Referrer-Policy: no-referrer); tile servers such as
    // OpenStreetMap's ask for one, so tiles alone send this site's origin.
    referrerPolicy: "strict-origin-when-cross-origin"
  }).addTo(map);

  var bounds = L.latLngBounds([]);
  var markers = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup() : L.layerGroup();
  markers.addTo(map);

  function fit() {
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    }
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  function showError() {
    var message = document.getElementById("map-error");
    if (message) {
      message.hidden = false;
    }
  }

  (data.districtsUrl ? load(data.districtsUrl) : Promise.resolve({ type: "FeatureCollection", features: [] })).then(function (collection) {
    var outlines = L.geoJSON(collection, {
      style: { color: "#0b4f9c", weight: 2, fillOpacity: 0.05 },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(escapeHtml(feature.properties.name));
      }
    }).addTo(map);
    outlines.bringToBack();
    if (outlines.getLayers().length) {
      bounds.extend(outlines.getBounds());
    }
    fit();
  }).catch(showError);

  load(data.proposalsUrl).then(function (collection) {
    collection.features.forEach(function (feature) {
      var position = feature.geometry.coordinates;
      var marker = L.marker([position[1], position[0]], { title: feature.properties.title });
      marker.bindPopup(popup(feature.properties));
      markers.addLayer(marker);
      bounds.extend([position[1], position[0]]);
    });
    fit();
  }).catch(showError);
})();
