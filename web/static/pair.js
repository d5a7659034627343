// The new device's pairing page: take the code (typed, or after `#` in the QR's address), learn
// whose key this device is about to become, make the key here (non-extractable), answer the
// pairing with the key's own signed `key.pair`, show its digits for the person to compare with
// the other device, and once that device confirmed, keep the key and sign in with it. The form
// is sent through Steps.handleSubmit: a refusal in #step-error, in the page's own words for it.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const form = document.getElementById("pair-form");
  const check = document.getElementById("pair-check");
  const waiting = document.getElementById("pair-waiting");
  const POLL_MS = 1500;

  const show = (exception) => Steps.showError(exception, form);

  if (!window.crypto || !crypto.subtle || !window.indexedDB) {
    show(new Error(words["pair.no_webcrypto"]));
    form.querySelector("button").disabled = true;
    return;
  }

  // The code rides after `#`, which no browser sends; taken off the address bar once read.
  const fromAddress = decodeURIComponent(window.location.hash.slice(1));
  if (fromAddress) {
    form.elements.code.value = fromAddress;
    history.replaceState(null, "", window.location.pathname);
  }

  async function waitForConfirmation(invite, newKey) {
    const state = await Signing.api("GET", `/pairings/${encodeURIComponent(invite.pairing_id)}`);
    if (state.status === "answered") {
      window.setTimeout(() => waitForConfirmation(invite, newKey).catch(show), POLL_MS);
      return;
    }
    if (state.status !== "done") {
      waiting.textContent = words["pair.expired"];
      return;
    }
    waiting.textContent = words["pair.done"];
    await Signing.keep({
      partyId: invite.party_id,
      role: invite.role,
      displayName: invite.display_name,
      publicKey: newKey.publicKey,
      createdAt: new Date().toISOString(),
      keyPair: newKey.keyPair,
    });
    await Signing.signIn(invite.party_id);
    window.location.assign("/my/devices");
  }

  Steps.handleSubmit(form, async () => {
    const code = form.elements.code.value.trim();
    const label = form.elements.label.value.trim();
    const invite = await Signing.post("/pairings/lookup", { code });
    if (await Signing.identity(invite.party_id)) throw new Signing.StepError(0, "held_already", "");
    const newKey = await Signing.newKey();
    const pairing = Signing.envelope(invite.party_id, {
      action: "key.pair",
      subject: invite.party_id,
      payload: { public_key: newKey.publicKey, label },
    });
    const possession = await Signing.signWith(newKey.keyPair, pairing);
    await Signing.post(`/pairings/${encodeURIComponent(invite.pairing_id)}/key`, { code, possession });
    document.getElementById("pair-party").textContent = words["pair.party"]
      .replace("{name}", invite.display_name)
      .replace("{role}", words["role." + invite.role] || invite.role);
    document.getElementById("pair-fingerprint").textContent = await Signing.fingerprint(newKey.publicKey);
    form.hidden = true;
    check.hidden = false;
    window.setTimeout(() => waitForConfirmation(invite, newKey).catch(show), POLL_MS);
  });
});
