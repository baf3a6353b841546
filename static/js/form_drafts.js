// What a shopper typed into a long form (the checkout address) survives a change of
// language, currency or ship-to in the header, which reloads the page: forms marked
// data-keep-draft save their text fields in this tab's sessionStorage and refill them
// from it (what was typed beats the profile's defaults). Selects follow the header's
// choices; passwords, hidden fields and the CSRF token are never saved.
document.addEventListener("DOMContentLoaded", () => {
  const storage = (() => {
    try { return window.sessionStorage; } catch (_) { return null; }
  })();
  if (!storage) return;
  document.querySelectorAll("form[data-keep-draft]").forEach((form) => {
    const key = `qiao-draft:${location.pathname}:${form.getAttribute("action") || ""}`;
    const fields = () => Array.from(form.elements).filter((el) =>
      el.name && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT"
        && ["text", "tel", "email", "search", "url", "number"].includes(el.type))));
    let saved = {};
    try { saved = JSON.parse(storage.getItem(key) || "{}"); } catch (_) { saved = {}; }
    fields().forEach((el) => {
      if (typeof saved[el.name] === "string") el.value = saved[el.name];
    });
    form.addEventListener("input", () => {
      const draft = {};
      fields().forEach((el) => { draft[el.name] = el.value; });
      storage.setItem(key, JSON.stringify(draft));
    });
  });
});
