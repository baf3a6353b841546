// Sponsored cards: count a view only when at least half of the card has been on screen
// for a full second (IntersectionObserver), and report it once with navigator.sendBeacon
// to the card's data-ad-endpoint. A tap on the card reports the view first if the timer
// has not fired yet, so a quick tap is not mistaken for a click without a view.
// Cards added later (infinite scroll) are picked up by a MutationObserver.
(function () {
  "use strict";
  const VISIBLE_SHARE = 0.5;
  const VISIBLE_MS = 1000;
  const timers = new WeakMap();
  const sent = new WeakSet();

  function report(card) {
    if (sent.has(card)) return;
    sent.add(card);
    const body = new FormData();
    body.append("token", card.dataset.adImpression);
    const url = card.dataset.adEndpoint;
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
        .catch(() => {});
    }
  }

  function stopTimer(card) {
    const timer = timers.get(card);
    if (timer) {
      window.clearTimeout(timer);
      timers.delete(card);
    }
  }

  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        const card = entry.target;
        if (entry.isIntersecting && entry.intersectionRatio >= VISIBLE_SHARE) {
          if (!timers.has(card) && !sent.has(card)) {
            timers.set(card, window.setTimeout(() => {
              timers.delete(card);
              report(card);
              observer.unobserve(card);
            }, VISIBLE_MS));
          }
        } else {
          stopTimer(card);
        }
      });
    }, { threshold: [0, VISIBLE_SHARE, 1] })
    : null;

  function watch(root) {
    root.querySelectorAll("[data-ad-impression]").forEach((card) => {
      if (card.dataset.adWatched) return;
      card.dataset.adWatched = "1";
      if (observer) observer.observe(card);
      const link = card.querySelector(".note-card-link");
      if (link) link.addEventListener("click", () => { stopTimer(card); report(card); });
    });
  }

  watch(document);
  new MutationObserver((mutations) => {
    mutations.forEach((m) => m.addedNodes.forEach((node) => {
      if (node.nodeType === 1) watch(node.matches("[data-ad-impression]") ? node.parentNode : node);
    }));
  }).observe(document.body, { childList: true, subtree: true });
})();
