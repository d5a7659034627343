// The council's accreditation forms: accredit an inspector, renew one, deactivate one. Each sends
// JSON to the accreditation API as the signed-in council member; the API's rules decide, and its
// refusal sentence is shown as it is. Nothing is signed: the list is the council's own record.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const base = "/inspectors/accreditations";

  const requests = {
    create: (form) => ["POST", base, {
      party_id: form.elements.party_id.value.trim(),
      specialties: Array.from(form.querySelectorAll("input[name=specialties]:checked"), (box) => box.value),
      valid_from: form.elements.valid_from.value,
      valid_until: form.elements.valid_until.value,
      affiliations: Steps.ties(form.elements.affiliations.value),
    }],
    renew: (form) => ["PATCH", base + "/" + encodeURIComponent(form.dataset.id), {
      valid_until: form.elements.valid_until.value,
    }],
    deactivate: (form) => ["POST", base + "/" + encodeURIComponent(form.dataset.id) + "/deactivation", {
      reason: form.elements.reason.value.trim(),
    }],
  };

  document.querySelectorAll("form[data-accreditation]").forEach((form) =>
    Steps.handleSubmit(form, async (_, headers) => {
      const [method, url, body] = requests[form.dataset.accreditation](form);
      const stored = await Signing.api(method, url, body, headers);
      // Show the saved record: the list narrowed to its inspector, scrolled to it.
      const target = new URL("/council/inspectors?q=" + encodeURIComponent(stored.name), window.location.href);
      target.hash = stored.accreditation_id;
      if (target.pathname + target.search === window.location.pathname + window.location.search) {
        Steps.forgetFormKey(form);
        window.location.hash = target.hash;
        window.location.reload();
      } else {
        window.location.assign(target);
      }
    }),
  );
});
