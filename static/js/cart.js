// Cart and checkout: buy buttons follow the chosen variant, quantities save on change,
// and the quote page counts down to its expiry. Everything works without it.
(function () {
  "use strict";

  // Product page: the picker (storefront.js) announces the variant; disable buying what
  // cannot be bought.
  const addForm = document.querySelector("[data-add-to-cart]");
  if (addForm) {
    document.addEventListener("variantchange", (event) => {
      addForm.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = !event.detail.available;
      });
    });
  }

  // Cart page: a changed quantity submits its own form; the Update button is for no-JS.
  document.querySelectorAll("[data-autosubmit-quantity]").forEach((form) => {
    const button = form.querySelector("[data-update]");
    if (button) button.hidden = true;
    form.querySelector("input[name=quantity]").addEventListener("change", () => form.submit());
  });

  // Quote page: minutes and seconds left; at zero, say it expired and hide the pay button.
  const countdown = document.querySelector("[data-countdown]");
  if (countdown) {
    const end = Date.parse(countdown.dataset.countdown);
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      if (left === 0) {
        countdown.textContent = countdown.dataset.expiredText;
        document.querySelectorAll("[data-testid=pay]").forEach((link) => { link.hidden = true; });
        return;
      }
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      countdown.textContent = `(${minutes}:${seconds})`;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
