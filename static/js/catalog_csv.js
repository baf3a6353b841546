// Catalog CSV import page: a live progress bar. Without JavaScript, reloading shows it.
document.addEventListener("DOMContentLoaded", () => {
  const card = document.querySelector("[data-import-status]");
  if (!card) return;
  const box = card.querySelector("[data-progress]");
  const bar = card.querySelector("[data-progress-bar]");
  const text = card.querySelector("[data-progress-text]");
  const label = card.querySelector("[data-status-label]");
  let polling = false;

  const poll = async () => {
    const response = await fetch(card.dataset.importStatus, { headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    const status = await response.json();
    bar.max = Math.max(status.total_rows, 1);
    bar.value = status.processed_rows;
    label.textContent = status.state_label;
    if (status.state === "importing") {
      text.textContent = `${status.processed_rows} / ${status.total_rows}`;
    }
    return status;
  };

  const keepPolling = () => {
    if (polling) return;
    polling = true;
    const tick = async () => {
      const status = await poll().catch(() => null);
      if (status && status.finished && status.state !== card.dataset.state) {
        window.location.reload();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  };

  if (card.dataset.state === "validating" || card.dataset.state === "importing") keepPolling();

  // Without a worker the import runs inside the "Import" request itself, so send it in the
  // background and show the progress other requests report until it answers.
  card.querySelectorAll("form[data-start-import]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      box.hidden = false;
      card.dataset.state = "importing";
      keepPolling();
      const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
      window.location.assign(response.url);
    });
  });
});
