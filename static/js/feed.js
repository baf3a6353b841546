// The note feed: a masonry of cards that fills the shortest column, and infinite scroll
// (infinite_scroll.js, loaded before this file).
// Without JavaScript the feed is a CSS multi-column list with a plain "Load more" link.
(function () {
  "use strict";
  const grid = document.querySelector("[data-feed]");
  const link = document.querySelector("[data-load-more]");
  if (!grid) return;

  let columns = [];

  function columnCount() {
    const count = parseInt(window.getComputedStyle(grid).columnCount, 10);
    return Number.isFinite(count) && count > 0 ? count : 2;
  }

  function shortest() {
    return columns.reduce((best, column) => (column.offsetHeight < best.offsetHeight ? column : best));
  }

  function place(cards) {
    cards.forEach((card) => shortest().appendChild(card));
  }

  function layout() {
    const cards = Array.from(grid.querySelectorAll(".note-card"));
    grid.classList.remove("masonry-js");
    const count = columnCount();
    grid.classList.add("masonry-js");
    grid.replaceChildren();
    columns = [];
    for (let i = 0; i < count; i += 1) {
      const column = document.createElement("div");
      column.className = "masonry-column";
      grid.appendChild(column);
      columns.push(column);
    }
    place(cards);
  }

  layout();
  let width = window.innerWidth;
  window.addEventListener("resize", () => {
    if (Math.abs(window.innerWidth - width) > 40) {
      width = window.innerWidth;
      layout();
    }
  });

  // The next page leaves out the sponsored campaigns this page shows already (at most
  // the last 20, as the server keeps).
  function withSeenAds(url) {
    const ids = Array.from(grid.querySelectorAll(".note-card[data-campaign-id]"),
      (card) => card.dataset.campaignId);
    const seen = Array.from(new Set(ids)).slice(-20);
    if (!seen.length) return url;
    const target = new URL(url, window.location.href);
    target.searchParams.set("seen_ads", seen.join(","));
    return target.toString();
  }

  if (!link) return;
  window.infiniteScroll({
    link,
    nextUrl: link.dataset.loadMore,
    pageSelector: "[data-feed-page]",
    cardSelector: ".note-card",
    append: place,
    requestUrl: withSeenAds,
  });
})();
