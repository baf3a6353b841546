// Tagging products on a note's photos: tap where the product is, search, pick. The tags
// go to the server as JSON in the form's tags_json field (the service checks each one);
// without JavaScript the form's rows of product numbers and percentages do the same.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const editor = document.querySelector("[data-tag-editor]");
  if (!editor) return;
  const form = editor.closest("form");
  const field = form.querySelector("input[name=tags_json]");
  const canvas = editor.querySelector("[data-tag-canvas]");
  const empty = editor.querySelector("[data-tag-empty]");
  const picker = editor.querySelector("[data-tag-picker]");
  const search = editor.querySelector("[data-tag-search]");
  const results = editor.querySelector("[data-tag-results]");
  const list = editor.querySelector("[data-tag-list]");
  const text = editor.dataset;

  // Products of the author's stores: the first manual row's choices ("Title (#12)").
  const ownProducts = Array.from(form.querySelectorAll("select[name$='-product_id']")[0]?.options || [])
    .filter((option) => option.value)
    .map((option) => ({ id: Number(option.value), title: option.textContent.replace(/\s*\(#\d+\)$/, "") }));
  const ownIds = new Set(ownProducts.map((p) => p.id));

  let tags = [];
  try {
    tags = JSON.parse(field.value || editor.dataset.existing || "[]");
  } catch (_) { tags = []; }
  let images = Array.from(document.querySelectorAll("[data-note-image]")).map((img) => img.dataset.noteImage);
  let spot = null; // {image_index, x, y} waiting for its product

  const save = () => { field.value = JSON.stringify(tags); };
  const round = (value) => Math.round(value * 10) / 10;
  const imageLabel = (index) => text.imageLabel.replace("0", String(index + 1));

  const render = () => {
    canvas.textContent = "";
    empty.hidden = images.length > 0;
    images.forEach((src, index) => {
      const frame = document.createElement("div");
      frame.className = "tag-frame";
      const img = document.createElement("img");
      img.src = src;
      img.alt = imageLabel(index);
      img.addEventListener("click", (event) => {
        const box = img.getBoundingClientRect();
        spot = { image_index: index,
                 x: round(((event.clientX - box.left) / box.width) * 100),
                 y: round(((event.clientY - box.top) / box.height) * 100) };
        openPicker();
      });
      frame.appendChild(img);
      tags.filter((tag) => tag.image_index === index).forEach((tag) => {
        const pin = document.createElement("span");
        pin.className = "tag-pin";
        pin.style.left = `${tag.x}%`;
        pin.style.top = `${tag.y}%`;
        pin.title = tag.title || `#${tag.product_id}`;
        frame.appendChild(pin);
      });
      if (spot && spot.image_index === index) {
        const pending = document.createElement("span");
        pending.className = "tag-pin pending";
        pending.style.left = `${spot.x}%`;
        pending.style.top = `${spot.y}%`;
        frame.appendChild(pending);
      }
      canvas.appendChild(frame);
      if (spot && spot.image_index === index) canvas.appendChild(picker);
    });
    list.textContent = "";
    tags.forEach((tag, n) => {
      const item = document.createElement("li");
      item.dataset.testid = "tag-item";
      item.append(`${tag.title || `#${tag.product_id}`} · ${imageLabel(tag.image_index)} `);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button small";
      remove.textContent = text.removeLabel;
      remove.addEventListener("click", () => { tags.splice(n, 1); save(); render(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
  };

  const choose = (product) => {
    tags.push({ ...spot, product_id: product.id, title: product.title });
    spot = null;
    picker.hidden = true;
    save();
    render();
  };

  const showResults = (found) => {
    results.textContent = "";
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = text.noneLabel;
      results.appendChild(none);
    }
    found.forEach((product) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "tag-result";
      button.dataset.testid = "tag-result";
      button.append(product.title);
      const whose = document.createElement("span");
      whose.className = "muted";
      whose.textContent = ` · ${ownIds.has(product.id) ? text.ownLabel : text.otherLabel}`;
      button.appendChild(whose);
      button.addEventListener("click", () => choose(product));
      item.appendChild(button);
      results.appendChild(item);
    });
  };

  let asked = 0;
  const lookUp = async () => {
    const query = search.value.trim();
    const words = query.toLowerCase();
    const own = ownProducts.filter((p) => p.title.toLowerCase().includes(words));
    if (!query) { showResults(own); return; }
    const ticket = ++asked;
    let others = [];
    try {
      const url = `${editor.dataset.searchUrl}?type=products&q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        const language = document.documentElement.lang.startsWith("zh") ? "title_zh" : "title_en";
        others = body.items.filter((p) => !ownIds.has(p.id))
          .map((p) => ({ id: p.id, title: p[language] || p.title }));
      }
    } catch (_) { /* offline: your own products still match */ }
    if (ticket === asked) showResults([...own, ...others]);
  };

  let typing = 0;
  search.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(lookUp, 250);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); lookUp(); }
    if (event.key === "Escape") { spot = null; picker.hidden = true; render(); }
  });
  editor.querySelector("[data-tag-cancel]").addEventListener("click", () => {
    spot = null;
    picker.hidden = true;
    render();
  });

  function openPicker() {
    render();
    picker.hidden = false;
    search.value = "";
    showResults(ownProducts);
    search.focus();
  }

  // New photos replace the old ones (as the server does): tag the new ones.
  const upload = form.querySelector("input[type=file][name=images]");
  upload.addEventListener("change", () => {
    images.forEach((src) => { if (src.startsWith("blob:")) URL.revokeObjectURL(src); });
    images = Array.from(upload.files).slice(0, 9).map((file) => URL.createObjectURL(file));
    tags = tags.filter((tag) => tag.image_index < images.length);
    save();
    render();
  });

  editor.hidden = false;
  form.querySelector("[data-tag-manual]").hidden = true;
  save();
  render();
});
