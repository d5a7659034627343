// The council's business page: verify a business after checking its licence, or revoke it.
// Both are JSON API calls with the session cookie (Signing.api); the page then reloads.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const error = document.getElementById("business-error");

  const handle = (selector, path, field) => {
    for (const form of document.querySelectorAll(selector)) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        try {
          const id = encodeURIComponent(form.dataset.partyId);
          await Signing.api("POST", "/businesses/" + id + path, { [field]: form.elements[field].value.trim() });
          window.location.reload();
        } catch (exception) {
          error.textContent = words["businesses.failed"] + " " + Signing.refusalText(exception, { form, box: error });
          error.hidden = false;
          error.focus();
          button.disabled = false;
        }
      });
    }
  };
  handle("form.verify-business", "/verification", "checked");
  handle("form.revoke-business", "/revocation", "reason");
});
