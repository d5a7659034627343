// Bank staff record an owner's transfer: the amount in yuan becomes fen by string arithmetic
// (Steps.parseYuan), the page says in plain words what will be booked, and only then is it
// posted to the JSON API as the signed-in staff member (Signing.api: the session cookie), through
// Steps.handleSubmit (a refusal said in #step-error with its field). The key was minted with the
// page, so a second click books nothing more.
(() => {
  "use strict";

  const say = (key, values = {}) => Steps.say(key, values);

  async function record(form) {
    const amountFen = Steps.parseYuan(form.elements.amount.value);
    const escrow = form.dataset.escrowId;
    if (!window.confirm(say("desk.confirm", { escrow, amount: Steps.yuanText(amountFen) }))) return;
    const body = { escrow_id: escrow, amount_fen: amountFen, idempotency_key: form.dataset.key };
    await Signing.api("POST", "/bank/deposits", body);
    const line = document.getElementById("desk-status");
    line.textContent = say("desk.recorded");
    line.focus();
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form.desk")) Steps.handleSubmit(form, record);
  });
})();
