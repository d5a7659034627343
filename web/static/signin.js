// The sign-in page: list the keys kept on this device, sign in as one, or make a new one.
document.addEventListener("DOMContentLoaded", async () => {
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const list = document.getElementById("identities");
  const form = document.getElementById("register");
  const secretField = document.getElementById("secret-field");
  const next = list.dataset.next;
  // Without a page to return to, each role lands on its own first page.
  const LANDING = {
    council: "/council",
    expert: "/expert",
    bank: "/bank",
    buyer: "/my/cases",
    dealer: "/my/cases",
    housing_association: "/association/businesses",
  };
  // The roles that enrol with a secret, each named by its own label (web/party_pages.py SECRET_ROLES).
  const SECRET_ROLES = Array.from(secretField.querySelectorAll("[data-secret-for]"), (name) => name.dataset.secretFor);
  // A business registers with its licence's credit code and legal name (api/business_checks.py).
  const BUSINESS_ROLES = ["contractor", "dealer", "inspector"];
  const licenceFields = document.getElementById("licence-fields");

  // A refusal in #step-error with the field it concerns, as Steps.handleSubmit says one.
  const fail = (exception) => Steps.showError(exception, form);

  if (!window.crypto || !crypto.subtle || !window.indexedDB) {
    const error = document.getElementById("step-error");
    error.textContent = words["signin.no_webcrypto"];
    error.hidden = false;
    form.querySelector("button").disabled = true;
    return;
  }

  // The page to return to, only if the browser itself resolves it to this origin: a string
  // check would let "/\\evil.example" or "/<tab>/evil.example" through (URL parsing reads them
  // as "//evil.example"). The server already drops such a `next`; this is the second lock. The
  // whole resolved address is used, never its path alone, which may itself read "//host".
  const sameOrigin = (path) => {
    try {
      const url = new URL(path, window.location.origin);
      return url.origin === window.location.origin ? url.href : null;
    } catch {
      return null;
    }
  };

  async function enter(partyId) {
    const party = await Signing.signIn(partyId);
    window.location.assign((next && sameOrigin(next)) || LANDING[party.role] || "/my/escrows");
  }

  async function showIdentities() {
    const identities = await Signing.identities();
    list.replaceChildren();
    if (!identities.length) {
      const empty = document.createElement("li");
      empty.textContent = words["signin.none"];
      list.append(empty);
    }
    for (const identity of identities) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sign-in-as";
      button.dataset.partyId = identity.partyId;
      button.textContent = words["signin.as"]
        .replace("{name}", identity.displayName)
        .replace("{role}", words["role." + identity.role] || identity.role)
        .replace("{id}", identity.partyId);
      button.addEventListener("click", () => enter(identity.partyId).catch(fail));
      item.append(button);
      list.append(item);
    }
  }

  const signOut = document.getElementById("sign-out");
  if (signOut) {
    signOut.addEventListener("click", async () => {
      await Signing.signOut();
      window.location.assign("/signin");
    });
  }

  const showRoleFields = () => {
    const role = form.elements.role.value;
    secretField.hidden = !SECRET_ROLES.includes(role);
    // Each role's secret by its own name: the council's enrolment secret is not the bank's token.
    secretField.querySelectorAll("[data-secret-for]").forEach((name) => { name.hidden = name.dataset.secretFor !== role; });
    licenceFields.hidden = !BUSINESS_ROLES.includes(role);
    form.elements.credit_code.required = form.elements.legal_name.required = !licenceFields.hidden;
  };
  form.elements.role.addEventListener("change", showRoleFields);
  showRoleFields();

  // The form's key pair is made once for the page's life, so a repeat of the form (an answer
  // lost, Back and submit again) is the same registration under the form's key: the first party.
  // Sent again from a page drawn afresh (Back), with another key pair, the kept form key is
  // refused (idempotency_key_reused): the page says so and forgets the key, so the reader who
  // does not find the identity listed above and sends again registers anew.
  let made = null;
  Steps.handleSubmit(form, async (_form, headers) => {
    made = made || (await Signing.newKey());
    let identity;
    try {
      identity = await Signing.register({
        made,
        headers,
        role: form.elements.role.value,
        displayName: form.elements.display_name.value.trim(),
        enrolmentSecret: form.elements.enrolment_secret.value || undefined,
        creditCode: licenceFields.hidden ? undefined : form.elements.credit_code.value.trim(),
        legalName: licenceFields.hidden ? undefined : form.elements.legal_name.value.trim(),
      });
    } catch (exception) {
      if (exception.code === "idempotency_key_reused") {
        Steps.forgetFormKey(form);
        made = null;
      }
      throw exception;
    }
    await enter(identity.partyId);
  });

  await showIdentities().catch(fail);
});
