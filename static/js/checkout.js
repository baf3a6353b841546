// The pay page: mount Stripe.js's card element and confirm the PaymentIntent.
// With real Stripe, stripe.confirmCardPayment does everything (3-D Secure included).
// In the sandbox, localstripe's Stripe.js cannot confirm from a card element, so the card
// becomes a token (stripe.createToken) that the server attaches and confirms; a card that
// asks for 3-D Secure is then completed with stripe.confirmCardPayment (localstripe's modal).
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var data = form.dataset;
  var stripe = Stripe(data.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("payment-error");
  var progress = document.getElementById("payment-progress");

  function busy(on) {
    button.disabled = on;
    progress.hidden = !on;
  }

  function fail(message) {
    busy(false);
    errorBox.textContent = message || data.msgFailed;
    errorBox.hidden = false;
  }

  function done() {
    window.location.assign(data.returnUrl);
  }

  function confirmReal() {
    return stripe.confirmCardPayment(data.clientSecret, {payment_method: {card: card}})
      .then(function (result) {
        if (result.error) { fail(result.error.message); } else { done(); }
      });
  }

  function confirmSandbox() {
    return stripe.createToken(card).then(function (result) {
      if (result.error || !result.token) {
        fail(result.error && result.error.message);
        return null;
      }
      return fetch(data.confirmUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": data.csrf},
        body: JSON.stringify({token: result.token.id})
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { fail(body.error && body.error.message); return; }
          if (body.status === "requires_action") {
            return stripe.confirmCardPayment(body.client_secret).then(function (auth) {
              if (auth.error) { fail(auth.error.message); } else { done(); }
            });
          }
          if (body.status === "succeeded" || body.status === "processing") { done(); return; }
          fail(body.error);
        });
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    busy(true);
    var attempt = data.sandbox === "1" ? confirmSandbox() : confirmReal();
    attempt.catch(function () { fail(data.msgUnavailable); });
  });
}());
