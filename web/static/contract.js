// The owner drafts a contract: the JSON API answers with the escrow, whose page then asks
// both sides to sign its terms. Drafting moves no money, so it needs the token, not a signature.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const form = document.getElementById("new-contract");
  const error = document.getElementById("step-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const body = {
        title: form.elements.title.value.trim(),
        owner_id: form.elements.owner_id.value,
        contractor_id: form.elements.contractor_id.value.trim(),
        inspector_id: form.elements.inspector_id.value.trim(),
        total_fen: Steps.parseYuan(form.elements.total.value),
        includes_waterproofing: form.elements.includes_waterproofing.checked,
      };
      const created = await Signing.api(form.dataset.partyId, "POST", "/escrows", body);
      window.location.assign("/my/escrows/" + encodeURIComponent(created.escrow_id));
    } catch (exception) {
      const words = JSON.parse(document.getElementById("words").textContent);
      const code = exception.code ? " (" + exception.code + ")" : "";
      error.textContent = words["error.step"] + " " + (exception.message || String(exception)) + code;
      error.hidden = false;
      error.focus();
    } finally {
      button.disabled = false;
    }
  });
});
