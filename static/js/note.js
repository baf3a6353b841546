// The note page: the image carousel, product bubbles and their sheets, and confirmations.
// Without it the images still scroll sideways and each bubble opens the product page.
// (Positions are set from data attributes: the CSP forbids inline style attributes.)
document.addEventListener("DOMContentLoaded", () => {
  "use strict";

  document.querySelectorAll(".tag-bubble[data-x][data-y]").forEach((bubble) => {
    bubble.style.left = `${parseFloat(bubble.dataset.x)}%`;
    bubble.style.top = `${parseFloat(bubble.dataset.y)}%`;
    bubble.classList.add("placed");
  });

  // A bubble opens its product sheet; the sheet's own links go through the tag.
  document.querySelectorAll(".tag-bubble[data-sheet]").forEach((bubble) => {
    const sheet = document.getElementById(bubble.dataset.sheet);
    if (!sheet || typeof sheet.showModal !== "function") return;
    bubble.setAttribute("aria-haspopup", "dialog");
    bubble.addEventListener("click", (event) => {
      event.preventDefault();
      sheet.showModal();
    });
    // A tap on the backdrop (outside the sheet's box) closes it.
    sheet.addEventListener("click", (event) => {
      const box = sheet.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right
        && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) sheet.close();
    });
  });

  document.querySelectorAll("[data-carousel]").forEach((carousel) => {
    const track = carousel.querySelector("[data-carousel-track]");
    const slides = Array.from(track.children);
    const previous = carousel.querySelector("[data-carousel-prev]");
    const next = carousel.querySelector("[data-carousel-next]");
    const dots = carousel.querySelector("[data-carousel-dots]");
    if (slides.length < 2 || !previous || !next) return;
    const status = dots.querySelector("[data-carousel-status]");
    const template = status.textContent;
    let current = 0;

    const show = (index) => {
      const target = Math.max(0, Math.min(slides.length - 1, index));
      track.scrollTo({ left: slides[target].offsetLeft - track.offsetLeft });
    };
    const update = () => {
      const index = Math.round(track.scrollLeft / Math.max(1, track.clientWidth));
      if (index === current && status.dataset.ready) return;
      current = Math.max(0, Math.min(slides.length - 1, index));
      status.dataset.ready = "1";
      previous.disabled = current === 0;
      next.disabled = current === slides.length - 1;
      dots.querySelectorAll(".carousel-dot").forEach((dot, n) => {
        dot.classList.toggle("current", n === current);
      });
      // "Image 1 of 3" in the page's language: the server wrote it for the first image.
      status.textContent = template.replace(/\d+/, String(current + 1));
      slides.forEach((slide, n) => { slide.inert = n !== current; });
    };

    previous.hidden = false;
    next.hidden = false;
    dots.hidden = false;
    previous.addEventListener("click", () => show(current - 1));
    next.addEventListener("click", () => show(current + 1));
    track.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
      if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
    });
    let pending = 0;
    track.addEventListener("scroll", () => {
      window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(update);
    });
    window.addEventListener("resize", () => show(current));
    update();
  });

  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
