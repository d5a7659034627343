// The council's key recovery desk (web/recovery_pages.py): record the identity check (the JSON
// API with the member's session cookie), then sign with this member's own key: the approval
// (`key.recover.approve`), or, for a second member, the binding (`key.recover`) over the recorded
// approval and the new device's `key.pair`. The server checks every signature (docs/RECOVERY.md).
// Each goes through Steps.handleSubmit or handleClick: a refusal in #step-error, with its field.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const desk = document.getElementById("recovery-desk");
  if (!desk) return;
  const data = desk.dataset;
  const base = `/key-recoveries/${encodeURIComponent(data.request)}`;
  const signed = JSON.parse(data.signing);

  const check = document.getElementById("identity-check");
  if (check) {
    Steps.handleSubmit(
      check,
      Steps.thenReload(() =>
        Signing.api("POST", `${base}/identity-check`, {
          document_kind: check.document_kind.value,
          document_number: check.document_number.value,
          photo_matched: check.photo_matched.checked,
          name_matched: check.name_matched.checked,
          notes: check.notes.value,
        }),
      ),
    );
  }

  const approve = document.getElementById("approve");
  if (approve) {
    Steps.handleClick(
      approve,
      Steps.thenReload(() =>
        Signing.submit(data.member, `${base}/approval`, {
          action: "key.recover.approve",
          subject: data.party,
          payload: { public_key: data.publicKey, request: data.request, waiting_hours: Number(data.waitingHours) },
        }),
      ),
    );
  }

  // Signed once and sent again as it is after a failure (the workflow service did not answer):
  // the same binding starts the waiting period once, where a new signature would be refused.
  let binding = null;
  const bind = document.getElementById("bind");
  if (bind) {
    Steps.handleClick(
      bind,
      Steps.thenReload(async () => {
        binding =
          binding ||
          (await Signing.sign(data.member, {
            action: "key.recover",
            subject: data.party,
            payload: {
              ...signed.approval.envelope.payload,
              label: signed.pairing.envelope.payload.label,
              approval: signed.approval,
              possession: signed.pairing,
            },
          }));
        return Signing.post(`${base}/binding`, binding);
      }),
    );
  }
});
