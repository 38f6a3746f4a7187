// The early-warning board: the map of hazards and citizens by city, and alerts as they come.
(function () {
  "use strict";
  var colours = ["#2b8a3e", "#2b8a3e", "#e6b400", "#e8590c", "#c92a2a"];
  var map = null, layers = null;

  // Country shapes served with the app (Natural Earth 1:110m): a map that needs no tile server.
  function drawCountries(target) {
    if (!window.topojson) { return; }
    fetch("/static/vendor/world/countries-110m.json")
      .then(function (r) { return r.json(); })
      .then(function (world) {
        var countries = topojson.feature(world, world.objects.countries);
        countries.features = countries.features.filter(function (f) { return f.id !== "010"; });
        countries.features.forEach(unwrap);
        L.geoJSON(countries, {
          style: { color: "#ffffff", weight: 0.6, fillColor: "#d5dbe2", fillOpacity: 1 },
          interactive: false
        }).addTo(target).bringToBack();
      });
  }

  // Russia and Fiji cross 180°: their western longitudes move east a turn, so that no ring
  // is drawn across the whole map (Antarctica, which circles the pole, is left out above).
  function unwrap(feature) {
    var g = feature.geometry, polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    var lons = [];
    polys.forEach(function (p) { p[0].forEach(function (c) { lons.push(c[0]); }); });
    if (Math.min.apply(null, lons) > -170 || Math.max.apply(null, lons) < 170) { return; }
    polys.forEach(function (p) {
      p.forEach(function (ring) { ring.forEach(function (c) { if (c[0] < 0) { c[0] += 360; } }); });
    });
  }

  function clean(text) { return String(text).replace(/[<>&"]/g, ""); }

  function drawMap(el) {
    if (!window.L) { return; }
    if (!map) {
      map = L.map(el, { worldCopyJump: true }).setView([25, 110], 3);
      L.control.scale().addTo(map);
      drawCountries(map);
      layers = L.layerGroup().addTo(map);
    }
    fetch(el.dataset.layers, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        layers.clearLayers();
        var labels = el.dataset.labels ? JSON.parse(el.dataset.labels) : {};
        data.density.forEach(function (p) {
          var text = clean(p.city || "—") + ", " + clean(p.country) + ": " + p.count;
          // A roster's places say how their people are, status by status.
          Object.keys(p.by_status || {}).forEach(function (s) {
            text += "<br>" + clean(labels[s] || s) + ": " + p.by_status[s];
          });
          L.circleMarker([p.lat, p.lon], {
            radius: Math.min(4 + Math.sqrt(p.count), 30), color: p.colour || "#1c7ed6",
            weight: 1, fillOpacity: 0.35
          }).bindTooltip(text).addTo(layers);
        });
        var focus = el.dataset.focus, bounds = null;
        var shapes = L.geoJSON(data.hazards, {
          style: function (f) {
            var c = colours[f.properties.level] || "#c92a2a";
            return { color: c, weight: 2, fillOpacity: 0.15 };
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindPopup('<a href="' + (p.href || "/console/crisis/hazards/" + p.id) + '">' +
              p.title.replace(/[<>&]/g, "") + "</a><br>" + (p.exposed === null ? "—" : p.exposed));
            if (String(p.id) === focus) { bounds = layer.getBounds(); }
          }
        }).addTo(layers);
        el.dataset.hazards = String(data.hazards.features.length);
        if (bounds) { map.fitBounds(bounds); }
        else if (!el.dataset.fitted && data.hazards.features.length) {
          map.fitBounds(shapes.getBounds(), { maxZoom: 6 }); el.dataset.fitted = "1";
        }
      });
  }

  function listen(box, el) {
    if (!window.EventSource) { return; }
    var source = new EventSource(box.dataset.stream, { withCredentials: true });
    var state = document.getElementById("live-state");
    source.onopen = function () { if (state) { state.classList.add("on"); } };
    source.onerror = function () { if (state) { state.classList.remove("on"); } };
    source.addEventListener("alert", function (event) {
      var holder = document.createElement("div");
      holder.innerHTML = event.data;
      var item = holder.firstElementChild;
      var old = document.getElementById(item.id);
      if (old) { old.remove(); }
      var empty = document.getElementById("no-alerts");
      if (empty) { empty.remove(); }
      box.prepend(item);
      if (window.htmx) { window.htmx.process(item); }
      var open = document.getElementById("open-alerts");
      if (open) { open.textContent = String(box.querySelectorAll(".alert-item:not(.done)").length); }
      if (el) { drawMap(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("board-map");
    if (el) { drawMap(el); }
    var box = document.getElementById("alerts");
    if (box && box.dataset.stream) { listen(box, el); }
  });
})();
