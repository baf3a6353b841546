// Infinite scroll, shared by the note feed and the product grids. A "Load more" link
// fetches the next page's HTML fragment and hands its cards over; near the viewport it
// loads by itself. Without JavaScript (or after an error) the link simply opens that page.
(function () {
  "use strict";

  // link: the "Load more" <a>, whose parent goes once the last page is in.
  // nextUrl: the first fragment to fetch. pageSelector: the fragment's root, carrying
  // data-more (the fragment after it) and data-next (the full page for the plain link).
  // cardSelector: the cards in a fragment. append(cards): puts the imported cards in place.
  // requestUrl(url) (optional): the address actually fetched for a fragment's url.
  window.infiniteScroll = function ({ link, nextUrl, pageSelector, cardSelector, append, requestUrl }) {
    let loading = false;
    let observer = null;
    const label = link.textContent;

    const stop = () => {
      nextUrl = null;
      if (observer) observer.disconnect();
    };

    const loadMore = async () => {
      if (loading || !nextUrl) return;
      loading = true;
      link.setAttribute("aria-busy", "true");
      link.textContent = "…";
      try {
        const target = requestUrl ? requestUrl(nextUrl) : nextUrl;
        const response = await fetch(target, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (!response.ok) throw new Error(`${nextUrl} answered ${response.status}`);
        const html = await response.text();
        const page = new DOMParser().parseFromString(html, "text/html").querySelector(pageSelector);
        if (!page) throw new Error(`no ${pageSelector} in the answer`);
        append(Array.from(page.querySelectorAll(cardSelector)).map((card) => document.importNode(card, true)));
        nextUrl = page.dataset.more || null;
        if (nextUrl) {
          link.href = page.dataset.next;
        } else {
          stop();
          link.parentElement.remove();
        }
      } catch (error) {
        stop();  // the plain link still opens the next page
      } finally {
        loading = false;
        link.removeAttribute("aria-busy");
        link.textContent = label;
      }
    };

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
  };
})();
