// "See translation" in place: fetch the translation fragment and show it under the
// original; slots marked data-auto-translate (the viewer chose "always translate") load
// on their own, one after another so a page of comments does not flood the provider.
// Without this script the link opens the translation as a page.
(() => {
  "use strict";

  async function load(slot, link) {
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("fragment", "1");
    slot.setAttribute("aria-busy", "true");
    slot.textContent = slot.dataset.loadingLabel || "…";
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      slot.innerHTML = await response.text();
    } catch (error) {
      slot.replaceChildren(link);  // keep the original and the link; a tap tries again
    } finally {
      slot.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-translation-slot] [data-see-translation]");
    if (!link) return;
    event.preventDefault();
    load(link.closest("[data-translation-slot]"), link);
  });

  document.addEventListener("DOMContentLoaded", async () => {
    for (const slot of document.querySelectorAll("[data-translation-slot][data-auto-translate]")) {
      const link = slot.querySelector("[data-see-translation]");
      if (link) await load(slot, link);
    }
  });
})();
