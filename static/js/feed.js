// The note feed: a masonry of cards that fills the shortest column, and infinite scroll.
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

  if (!link) return;
  let nextUrl = link.dataset.loadMore;
  let loading = false;
  const label = link.textContent;
  let observer = null;

  async function loadMore() {
    if (loading || !nextUrl) return;
    loading = true;
    link.setAttribute("aria-busy", "true");
    link.textContent = "…";
    try {
      const response = await fetch(nextUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(`feed page answered ${response.status}`);
      const html = await response.text();
      const page = new DOMParser().parseFromString(html, "text/html").querySelector("[data-feed-page]");
      if (!page) throw new Error("no feed page in the answer");
      place(Array.from(page.querySelectorAll(".note-card")).map((card) => document.importNode(card, true)));
      nextUrl = page.dataset.more || null;
      if (nextUrl) {
        link.href = page.dataset.next;
      } else {
        if (observer) observer.disconnect();
        link.parentElement.remove();
      }
    } catch (error) {
      // Leave the plain link in place: following it still loads the next page.
      nextUrl = null;
      if (observer) observer.disconnect();
    } finally {
      loading = false;
      link.removeAttribute("aria-busy");
      link.textContent = label;
    }
  }

  link.addEventListener("click", (event) => {
    if (!nextUrl) return;
    event.preventDefault();
    loadMore();
  });
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: "600px 0px" });
    observer.observe(link);
  }
})();
