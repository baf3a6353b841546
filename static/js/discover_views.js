// Report one Discover first page viewed (the traffic guaranteed placements are forecast
// from). GET pages write nothing, so the page posts it, once, with its CSRF token.
(function () {
  "use strict";
  var marker = document.querySelector("[data-discover-view]");
  var token = document.querySelector("input[name=csrf_token]");
  if (!marker || !token) { return; }
  var body = new FormData();
  body.append("csrf_token", token.value);
  var url = marker.getAttribute("data-discover-view");
  if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
  }
})();
