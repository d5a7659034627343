// Bank staff record an owner's transfer: the amount in yuan becomes fen by string arithmetic
// (Steps.parseYuan), the page says in plain words what will be booked, and only then is it
// posted to the JSON API as the signed-in staff member (Signing.api: the session cookie). The key was
// minted with the page, so a second click books nothing more.
(() => {
  "use strict";

  const say = (key, values = {}) => Steps.say(key, values);

  function status(text) {
    const line = document.getElementById("desk-status");
    line.textContent = text;
    line.focus();
  }

  async function record(form) {
    const amountFen = Steps.parseYuan(form.elements.amount.value);
    const escrow = form.dataset.escrowId;
    if (!window.confirm(say("desk.confirm", { escrow, amount: Steps.yuanText(amountFen) }))) return;
    const body = { escrow_id: escrow, amount_fen: amountFen, idempotency_key: form.dataset.key };
    await Signing.api("POST", "/bank/deposits", body);
    status(say("desk.recorded"));
    window.location.reload();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.desk");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    record(form)
      .catch((exception) => {
        status(say("desk.failed") + " " + Signing.refusalText(exception, { form }));
      })
      .finally(() => {
        button.disabled = false;
      });
  });
})();
