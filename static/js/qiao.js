// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The mobile menu toggle.
  document.querySelectorAll("[data-toggle]").forEach((button) => {
    const target = document.getElementById(button.dataset.toggle);
    button.addEventListener("click", () => {
      const open = target.classList.toggle("open");
      button.setAttribute("aria-expanded", String(open));
    });
  });
  // Preference selects apply as soon as they change.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // Phones show a table with a header row as cards (qiao.css): each cell carries its
  // column's name, so a card still says what each value is.
  document.querySelectorAll("main table").forEach((table) => {
    const header = table.tHead && table.tHead.rows[0];
    if (!header) return;
    const labels = [];
    Array.from(header.cells).forEach((cell) => {
      for (let span = 0; span < cell.colSpan; span += 1) labels.push(cell.textContent.trim());
    });
    Array.from(table.tBodies).forEach((body) => Array.from(body.rows).forEach((row) => {
      let column = 0;
      Array.from(row.cells).forEach((cell) => {
        if (labels[column] && !cell.hasAttribute("data-label")) cell.dataset.label = labels[column];
        column += cell.colSpan;
      });
    }));
  });
  // Copy buttons (e.g. a freshly created API token).
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = button.dataset.copied || "Copied";
      } catch (_) { /* clipboard unavailable: the text stays selectable */ }
    });
  });
});
