// The proposal form's map picker: click or drag a marker to set the latitude and longitude
// fields, which stay the way to enter a point without JavaScript. Configured only from data-*
// attributes of #picker-map (the CSP allows no inline script). The point must lie inside the
// districts' outlines (the cycle's area) and, for a district budget, inside its district; the
// server checks it again. The optional address search asks this site's /geocode, never a
// third party directly.
(function () {
  "use strict";

  var element = document.getElementById("picker-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var data = element.dataset;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var latField = document.getElementById("f-lat");
  var lonField = document.getElementById("f-lon");
  var budgetField = document.getElementById("f-budget_id");
  var status = document.getElementById("picker-status");
  var budgetDistricts = JSON.parse(data.budgetDistricts || "{}");
  var outlines = [];
  var marker = null;

  element.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false }).setView([48.8566, 2.3522], 12);
  L.tileLayer(data.tileUrl, {
    maxZoom: 19,
    attribution: escapeHtml(data.attribution || ""),
    referrerPolicy: "strict-origin-when-cross-origin"
  }).addTo(map);

  function say(text) {
    status.textContent = text;
  }

  // Ray casting over every ring (holes included): the same even-odd rule as domain/geo.py.
  function inRings(rings, lat, lon) {
    var inside = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
    });
    return inside;
  }

  function inFeature(feature, lat, lon) {
    return feature.geometry.coordinates.some(function (polygon) {
      return inRings(polygon, lat, lon);
    });
  }

  function allowed(lat, lon) {
    if (!outlines.length) {
      return true;
    }
    var district = budgetField ? budgetDistricts[budgetField.value] : undefined;
    var candidates = outlines.filter(function (feature) {
      return district === undefined || district === null || feature.properties.id === district;
    });
    if (!candidates.length) {
      candidates = outlines;  // a district without an outline: the cycle's area only
    }
    return candidates.some(function (feature) { return inFeature(feature, lat, lon); });
  }

  function place(lat, lon, fromField) {
    if (!allowed(lat, lon)) {
      say(data.outsideMessage);
      return false;
    }
    if (marker === null) {
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: data.markerTitle });
      marker.on("dragend", function () {
        var position = marker.getLatLng();
        if (!place(position.lat, position.lng, false)) {
          marker.setLatLng([Number(latField.value), Number(lonField.value)]);
        }
      });
      marker.addTo(map);
    } else {
      marker.setLatLng([lat, lon]);
    }
    if (!fromField) {
      latField.value = lat.toFixed(6);
      lonField.value = lon.toFixed(6);
    }
    say(data.placedMessage.replace("{lat}", lat.toFixed(6)).replace("{lon}", lon.toFixed(6)));
    return true;
  }

  function fromFields() {
    var lat = Number(latField.value), lon = Number(lonField.value);
    if (latField.value && lonField.value && isFinite(lat) && isFinite(lon)) {
      place(lat, lon, true);
      map.setView([lat, lon], Math.max(map.getZoom(), 15));
    }
  }

  map.on("click", function (event) {
    place(event.latlng.lat, event.latlng.lng, false);
  });
  latField.addEventListener("change", fromFields);
  lonField.addEventListener("change", fromFields);

  fetch(data.districtsUrl, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : { features: [] }; })
    .then(function (collection) {
      outlines = collection.features || [];
      var layer = L.geoJSON(collection, { style: { color: "#0b4f9c", weight: 2, fillOpacity: 0.05 } });
      layer.addTo(map);
      if (outlines.length) {
        var area = layer.getBounds();
        map.fitBounds(area, { padding: [10, 10] });
        map.setMaxBounds(area.pad(0.25));
      }
      if (latField.value && lonField.value) {
        fromFields();
      }
    })
    .catch(function () { say(data.errorMessage); });

  var search = document.getElementById("geocode-form");
  if (search && data.geocodeUrl) {
    search.hidden = false;
    var input = document.getElementById("geocode-query");
    var results = document.getElementById("geocode-results");
    document.getElementById("geocode-button").addEventListener("click", function () {
      results.textContent = "";
      var query = input.value.trim();
      if (!query) {
        return;
      }
      fetch(data.geocodeUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (!answer.results || !answer.results.length) {
            say(answer.message || data.noResultMessage);
            return;
          }
          answer.results.forEach(function (found) {
            var item = document.createElement("li");
            var choose = document.createElement("button");
            choose.type = "button";
            choose.className = "button--secondary";
            choose.textContent = found.label;
            choose.addEventListener("click", function () {
              if (place(found.lat, found.lon, false)) {
                map.setView([found.lat, found.lon], 17);
                var address = document.getElementById("f-address");
                if (address && !address.value) {
                  address.value = found.label;
                }
              }
            });
            item.appendChild(choose);
            results.appendChild(item);
          });
        })
        .catch(function () { say(data.errorMessage); });
    });
  }
})();
