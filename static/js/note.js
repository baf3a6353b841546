// The note page: place product pins on their images and confirm before deleting.
// (Positions are set from data attributes: the CSP forbids inline style attributes.)
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  document.querySelectorAll(".product-pin[data-x][data-y]").forEach((pin) => {
    pin.style.left = `${parseFloat(pin.dataset.x)}%`;
    pin.style.top = `${parseFloat(pin.dataset.y)}%`;
    pin.classList.add("placed");
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
