// "Not interested" on a Discover card, in place: the card becomes a short notice with an
// "Undo" button, and undoing puts the card back as it was. Without JavaScript (or when the
// request fails) the form posts normally and Discover offers the undo instead.
(function () {
  "use strict";

  async function post(url, csrfToken) {
    const body = new FormData();
    body.append("csrf_token", csrfToken);
    return fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-not-interested]");
    if (!form) return;
    event.preventDefault();
    const card = form.closest(".note-card");
    const csrfToken = form.querySelector("[name=csrf_token]").value;
    let response;
    try {
      response = await post(form.action, csrfToken);
    } catch (error) {
      form.submit();
      return;
    }
    if (!response.ok) {
      form.submit();
      return;
    }
    const answer = await response.json();
    const kept = Array.from(card.childNodes);
    const notice = document.createElement("div");
    notice.className = "card-dismissed";
    notice.setAttribute("role", "status");
    const text = document.createElement("p");
    text.textContent = answer.message;
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "small secondary";
    undo.textContent = form.dataset.undoLabel;
    undo.addEventListener("click", async () => {
      undo.disabled = true;
      const undone = await post(form.dataset.undo, csrfToken).catch(() => null);
      if (undone && undone.ok) {
        form.closest("details").open = false;
        card.replaceChildren(...kept);
        card.classList.remove("dismissed");
      } else {
        undo.disabled = false;
      }
    });
    notice.append(text, undo);
    card.replaceChildren(notice);
    card.classList.add("dismissed");
  });
})();
