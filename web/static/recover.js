// The new device's key recovery pages (web/recovery_pages.py, docs/RECOVERY.md).
// /recover: make a key on this device (WebCrypto, non-extractable), sign the party's `key.pair`
// with it, ask (POST /key-recoveries), keep the key as the party's identity on this device (the
// same store signing.js signs from, so it signs in once the council's recovery takes effect),
// and go to the request's page. /recover/{id}: a device that still holds another of the party's
// keys is offered the cancellation (`key.recover.cancel`) while the recovery waits. Both are
// sent through Steps.handleSubmit or handleClick: a refusal in #step-error, in the page's words.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";

  const ask = document.getElementById("ask-recovery");
  if (ask) {
    Steps.handleSubmit(ask, async () => {
      const partyId = ask.party_id.value.trim();
      if (await Signing.identity(partyId)) throw new Signing.StepError(0, "holds_key", "");
      const { keyPair, publicKey } = await Signing.newKey();
      const step = { action: "key.pair", subject: partyId, payload: { public_key: publicKey, label: ask.label.value } };
      const pairing = await Signing.signWith(keyPair, Signing.envelope(partyId, step));
      const asked = await Signing.post("/key-recoveries", { party_id: partyId, pairing });
      const createdAt = new Date().toISOString();
      await Signing.keep({ partyId, role: "", displayName: partyId, publicKey, createdAt, keyPair, recovery: asked.request_id });
      window.location.assign(`/recover/${encodeURIComponent(asked.request_id)}`);
    });
  }

  const request = document.getElementById("recover-request");
  if (request) {
    const data = request.dataset;
    (async () => {
      const held = await Signing.identity(data.party);
      if (!held) return;
      if ((await Signing.keyId(held.publicKey)) === data.keyId) {
        document.getElementById("this-device-new").hidden = false;
      } else if (data.state === "waiting") {
        document.getElementById("cancel-section").hidden = false;
      }
    })();
    Steps.handleClick(
      document.getElementById("cancel-recovery"),
      Steps.thenReload(() =>
        Signing.submit(data.party, `/key-recoveries/${encodeURIComponent(data.request)}/cancellation`, {
          action: "key.recover.cancel",
          subject: data.party,
          payload: { request: data.request },
        }),
      ),
    );
  }
});
