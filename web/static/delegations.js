// The council's delegations page: grant a housing association the verification of businesses,
// or revoke it. Both are JSON API calls with the session cookie (Signing.api); the page then reloads.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const error = document.getElementById("delegation-error");

  const send = (form, path, body) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await Signing.api("POST", path, body());
        window.location.reload();
      } catch (exception) {
        error.textContent = words["delegations.failed"] + " " + Signing.refusalText(exception, { form, box: error });
        error.hidden = false;
        error.focus();
        button.disabled = false;
      }
    });
  };
  const grant = document.getElementById("grant-delegation");
  send(grant, "/delegations", () => ({
    party_id: grant.elements.party_id.value.trim(),
    note: grant.elements.note.value.trim(),
  }));
  for (const form of document.querySelectorAll("form.revoke-delegation")) {
    const path = "/delegations/" + encodeURIComponent(form.dataset.delegationId) + "/revocation";
    send(form, path, () => ({ reason: form.elements.reason.value.trim() }));
  }
});
