// Storefront: "load more" product cards, the product gallery and the variant picker.
// Every part works without JavaScript: "Load more", thumbnails and variants are links.
(function () {
  "use strict";

  // Product grids: append the next page's cards (infinite_scroll.js, loaded before this).
  const grid = document.querySelector("[data-product-grid]");
  const link = document.querySelector("[data-load-more-products]");
  if (grid && link) {
    window.infiniteScroll({
      link,
      nextUrl: link.dataset.loadMoreProducts,
      pageSelector: "[data-product-page]",
      cardSelector: ".product-card",
      append: (cards) => cards.forEach((card) => grid.appendChild(card)),
    });
  }

  // Gallery: a thumbnail shows its photo in the main frame instead of reloading the page.
  const main = document.querySelector("[data-gallery-main]");
  if (main) {
    document.querySelectorAll("[data-gallery-thumb]").forEach((thumb) => {
      thumb.addEventListener("click", (event) => {
        event.preventDefault();
        main.src = thumb.dataset.large;
        main.alt = thumb.dataset.alt;
        main.width = Number(thumb.dataset.width);
        main.height = Number(thumb.dataset.height);
        document.querySelectorAll("[data-gallery-thumb][aria-current]").forEach((t) => t.removeAttribute("aria-current"));
        thumb.setAttribute("aria-current", "true");
      });
    });
  }

  // Variant picker: one select per option; the price box follows the chosen variant.
  const picker = document.querySelector("[data-variant-picker]");
  const data = document.getElementById("variant-data");
  if (!picker || !data) return;
  const variants = JSON.parse(data.textContent);
  const selects = Array.from(picker.querySelectorAll("select[data-option]"));
  const box = document.querySelector("[data-price-box]");
  const price = box.querySelector("[data-price]");
  const compareAt = box.querySelector("[data-compare-at]");
  const stock = box.querySelector("[data-stock]");
  const sku = box.querySelector("[data-sku]");
  const missing = picker.querySelector("[data-no-combination]");
  const list = document.querySelector("[data-variant-list]");

  picker.hidden = false;
  if (list) list.hidden = true;  // the selects replace the no-script list

  const chosen = () => {
    const wanted = Object.fromEntries(selects.map((s) => [s.dataset.option, s.value]));
    return variants.find((v) => Object.keys(wanted).every((name) => v.options[name] === wanted[name]));
  };

  const show = () => {
    const variant = chosen();
    missing.hidden = Boolean(variant);
    box.hidden = !variant;
    document.querySelectorAll("[data-buy] [name=variant_id]").forEach((input) => {
      input.value = variant ? String(variant.id) : "";
    });
    if (!variant) return;
    price.textContent = variant.price;
    compareAt.textContent = variant.compare_at || "";
    compareAt.hidden = !variant.compare_at;
    stock.textContent = variant.state_text;
    stock.className = `stock stock-${variant.state}`;
    sku.textContent = variant.sku;
    const url = new URL(window.location.href);
    url.searchParams.set("variant", variant.id);
    window.history.replaceState(null, "", url);
    picker.dispatchEvent(new CustomEvent("variantchange", { bubbles: true, detail: variant }));
  };

  selects.forEach((select) => select.addEventListener("change", show));
})();
