// Merchant portal enhancements; every form works without them.
document.addEventListener("DOMContentLoaded", () => {
  // "All on this page" ticks every product box of the bulk form.
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    const boxes = () => box.form.querySelectorAll(`input[name="${box.dataset.selectAll}"]`);
    box.addEventListener("change", () => boxes().forEach((b) => { b.checked = box.checked; }));
  });
  // Ask before destructive actions such as deleting an image.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
