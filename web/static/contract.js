// The owner drafts a contract: the JSON API answers with the escrow, whose page then asks
// both sides to sign its terms. Drafting moves no money, so it needs the session, not a signature.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const form = document.getElementById("new-contract");
  const error = document.getElementById("step-error");
  // A resubmitted draft (the answer was lost, the button pressed again) must not make a second
  // escrow: the same form content on this page load sends the same Idempotency-Key.
  const pageLoad = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const draftKey = async (body) => "draft-" + (await Signing.sha256Hex(pageLoad + Signing.canonicalJson(body))).slice(0, 40);
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
      const headers = { "Idempotency-Key": await draftKey(body) };
      const created = await Signing.api("POST", "/escrows", body, headers);
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
