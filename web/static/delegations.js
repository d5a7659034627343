// The council's delegations page: grant a housing association the verification of businesses,
// or revoke it. Both are JSON API calls with the session cookie (Signing.api), sent through
// Steps.handleSubmit (a refusal said in #step-error with its field); the page then reloads.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";

  const send = (form, path, body) =>
    Steps.handleSubmit(form, Steps.thenReload(() => Signing.api("POST", path, body())));
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
