// SOS: the browser's position is asked for only when the person taps the button, after consent.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("sos-form");
    if (!form) { return; }
    var status = document.getElementById("sos-status");
    form.addEventListener("submit", function (event) {
      if (form.elements.latitude.value || !form.elements.consent.checked) { return; }
      if (!navigator.geolocation) { return; }  // the server answers with the report form
      event.preventDefault();
      status.textContent = form.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        form.elements.accuracy_m.value = Math.round(pos.coords.accuracy);
        form.submit();
      }, function () {
        status.textContent = form.dataset.refused;
        form.submit();
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
