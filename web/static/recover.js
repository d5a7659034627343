// The new device's key recovery pages (web/recovery_pages.py, docs/RECOVERY.md).
// /recover: make a key on this device (WebCrypto, non-extractable), sign the party's `key.pair`
// with it, ask (POST /key-recoveries), keep the key as the party's identity on this device (the
// same store signing.js signs from, so it signs in once the council's recovery takes effect),
// and go to the request's page. /recover/{id}: a device that still holds another of the party's
// keys is offered the cancellation (`key.recover.cancel`) while the recovery waits.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const error = document.getElementById("recover-error");
  const show = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  const camel = (code) => code.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());
  const keyIdOf = async (publicKey) => "key-" + (await Signing.sha256Hex(publicKey)).slice(0, 16);
  const toBase64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const identities = Signing.objectStore("escrow-signing", "identities", "partyId");

  const ask = document.getElementById("ask-recovery");
  if (ask) {
    const words = document.getElementById("recover-words").dataset;
    ask.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = ask.querySelector("button");
      button.disabled = true;
      const partyId = ask.party_id.value.trim();
      try {
        if (await Signing.identity(partyId)) throw new Signing.StepError(0, "holds_key", words.holdsKey);
        const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
        const publicKey = toBase64(await crypto.subtle.exportKey("raw", keyPair.publicKey));
        const envelope = Signing.envelope(partyId, { action: "key.pair", subject: partyId, payload: { public_key: publicKey, label: ask.label.value } });
        const message = new TextEncoder().encode(Signing.canonicalJson(envelope));
        const signature = toBase64(await crypto.subtle.sign({ name: "Ed25519" }, keyPair.privateKey, message));
        const asked = await Signing.post("/key-recoveries", { party_id: partyId, pairing: { envelope, signature } });
        const stored = { partyId, role: "", displayName: partyId, publicKey, createdAt: new Date().toISOString(), keyPair, recovery: asked.request_id };
        await identities("readwrite", (store) => store.put(stored));
        window.location.assign(`/recover/${encodeURIComponent(asked.request_id)}`);
      } catch (exception) {
        show(words[camel(exception.code || "")] || `${words.failed}: ${Signing.refusalText(exception, { form: ask })}`);
        button.disabled = false;
      }
    });
  }

  const request = document.getElementById("recover-request");
  if (request) {
    const data = request.dataset;
    (async () => {
      const held = await Signing.identity(data.party);
      if (!held) return;
      if ((await keyIdOf(held.publicKey)) === data.keyId) {
        document.getElementById("this-device-new").hidden = false;
      } else if (data.state === "waiting") {
        document.getElementById("cancel-section").hidden = false;
      }
    })();
    const cancel = document.getElementById("cancel-recovery");
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        await Signing.submit(data.party, `/key-recoveries/${encodeURIComponent(data.request)}/cancellation`, {
          action: "key.recover.cancel",
          subject: data.party,
          payload: { request: data.request },
        });
        window.location.reload();
      } catch (exception) {
        show(`${data.failed}: ${exception.message}`);
        cancel.disabled = false;
      }
    });
  }
});
