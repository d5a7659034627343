// The council's consumer warning pages (web/warning_pages.py): draft a warning (the JSON API with
// the member's session cookie and the form's Idempotency-Key), then sign its publication
// (`warning.publish` over the id and the digest of its words) or its withdrawal
// (`warning.withdraw` over the id and the reason) with this member's own key. The server checks
// every signature and counts two different members (docs/PUBLIC_RECORD.md). Discarding a draft
// is no signature: one member's reason, sent with the session like the draft.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const draft = document.getElementById("draft-warning");
  if (draft) {
    Steps.handleSubmit(draft, async (form, headers) => {
      const data = form.dataset;
      const answer = await Signing.api(
        "POST",
        "/warnings",
        {
          title_zh: form.elements.title_zh.value.trim(),
          title_en: form.elements.title_en.value.trim(),
          text_zh: form.elements.text_zh.value.trim(),
          text_en: form.elements.text_en.value.trim(),
          category: form.elements.category.value,
          business_ids: form.elements.business_ids.value.split(/\s+/).filter(Boolean),
          valid_from: form.elements.valid_from.value,
          valid_until: form.elements.valid_until.value,
          spike: data.spikeKey ? { subject: data.spikeSubject, key: data.spikeKey, month: data.spikeMonth } : null,
        },
        headers,
      );
      Steps.forgetFormKey(form);
      window.location.assign("/council/warnings/" + encodeURIComponent(answer.id));
    });
  }

  const desk = document.getElementById("warning-desk");
  if (!desk) return;
  const data = desk.dataset;
  const base = "/warnings/" + encodeURIComponent(data.warning);
  const signAndSend = async (path, action, payload) => {
    const signed = await Signing.sign(data.member, { action, subject: data.warning, payload });
    return Signing.post(base + path, signed, Signing.SESSION_HEADERS);
  };
  const publish = document.getElementById("sign-publication");
  if (publish) {
    Steps.handleClick(
      publish,
      Steps.thenReload(() =>
        signAndSend("/publication-signatures", "warning.publish", { warning: data.warning, content: data.content }),
      ),
    );
  }
  const withdraw = document.getElementById("sign-withdrawal");
  if (withdraw) {
    Steps.handleSubmit(
      withdraw,
      Steps.thenReload((form) =>
        signAndSend("/withdrawal-signatures", "warning.withdraw", {
          warning: data.warning,
          reason: form.elements.reason.value.trim(),
        }),
      ),
    );
  }
  const discard = document.getElementById("discard-draft");
  if (discard) {
    Steps.handleSubmit(
      discard,
      Steps.thenReload((form) => Signing.api("POST", base + "/discard", { reason: form.elements.reason.value.trim() })),
    );
  }
});
