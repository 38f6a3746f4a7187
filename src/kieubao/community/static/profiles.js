// Country community profiles on a map: a circle per main city, sized by the community's estimate.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("profiles-map");
    if (!el || !window.L) { return; }
    var map = L.map(el, { worldCopyJump: true }).setView([30, 60], 2);
    drawCountries(map);
    var points = JSON.parse(el.dataset.points);
    points.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], {
        radius: Math.min(4 + Math.sqrt(p.size) / 60, 28), color: "#b0201b", weight: 1, fillOpacity: 0.4
      }).bindTooltip(p.label).addTo(map);
    });
  });
})();
