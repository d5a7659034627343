// The council's business page: verify a business after checking its licence, or revoke it.
// Both are JSON API calls with the session cookie (Signing.api), sent through Steps.handleSubmit
// (a refusal said in #step-error with its field); the page then reloads.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";

  const handle = (selector, path, field) => {
    for (const form of document.querySelectorAll(selector)) {
      const id = encodeURIComponent(form.dataset.partyId);
      const body = () => ({ [field]: form.elements[field].value.trim() });
      Steps.handleSubmit(form, Steps.thenReload(() => Signing.api("POST", "/businesses/" + id + path, body())));
    }
  };
  handle("form.verify-business", "/verification", "checked");
  handle("form.revoke-business", "/revocation", "reason");
});
