// Country shapes served with the app (Natural Earth 1:110m): maps that need no tile server.
(function () {
  "use strict";

  // Russia and Fiji cross 180°: their western longitudes move east a turn, so that no ring
  // is drawn across the whole map (Antarctica, which circles the pole, is left out).
  function unwrap(feature) {
    var g = feature.geometry, polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    var lons = [];
    polys.forEach(function (p) { p[0].forEach(function (c) { lons.push(c[0]); }); });
    if (Math.min.apply(null, lons) > -170 || Math.max.apply(null, lons) < 170) { return; }
    polys.forEach(function (p) {
      p.forEach(function (ring) { ring.forEach(function (c) { if (c[0] < 0) { c[0] += 360; } }); });
    });
  }

  // Draws the countries under everything else on a Leaflet map.
  window.drawCountries = function (target) {
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
  };
})();
