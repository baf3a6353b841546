// Report one view of an event page, which the sponsoring brand sees in its portal. GET
// pages write nothing, so the page posts it, once, with its CSRF token.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var marker = document.querySelector("[data-event-view]");
    var token = document.querySelector("input[name=csrf_token]");
    if (!marker || !token) { return; }
    var body = new FormData();
    body.append("csrf_token", token.value);
    var url = marker.getAttribute("data-event-view");
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
    }
  });
})();
