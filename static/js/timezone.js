// Tells the server the browser's time zone (an IANA name such as "Asia/Tokyo") in a
// cookie, so pages show times where the viewer is; the server checks the name.
(() => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (_) { return; }
  if (!zone) return;
  const current = document.cookie.split("; ").find((c) => c.startsWith("qiao_tz="));
  if (current !== "qiao_tz=" + encodeURIComponent(zone)) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "qiao_tz=" + encodeURIComponent(zone) +
      "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }
  // The settings page offers the browser's zone as a one-click choice.
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-browser-zone]").forEach((button) => {
      const select = document.getElementById(button.dataset.browserZone);
      if (!select || !select.querySelector("option[value='" + CSS.escape(zone) + "']")) return;
      button.textContent = button.dataset.label.replace("%s", zone);
      button.hidden = false;
      button.addEventListener("click", () => { select.value = zone; });
    });
  });
})();
