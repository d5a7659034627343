// The devices page: mark this device, add a device by a pairing code (shown with its QR, then
// confirmed by signing `key.add` once the person saw the same digits on both devices), and
// revoke a device by signing `key.revoke` after a confirm dialog. Each goes through the JSON API
// (api/routes/keys.py) with the session cookie; the key events are signed with this device's key.
document.addEventListener("DOMContentLoaded", async () => {
  "use strict";
  const words = JSON.parse(document.getElementById("words").textContent);
  const error = document.getElementById("devices-error");
  const partyId = document.getElementById("devices").dataset.partyId;
  const POLL_MS = 1500;

  const show = (exception) => {
    const known = exception && exception.code && words["devices.error." + exception.code];
    const said = (exception && exception.message) || "";
    error.dataset.code = (exception && exception.code) || "";
    error.textContent = known || (exception && exception.code ? `${words["devices.failed"]} ${said}` : said);
    error.hidden = false;
    error.focus();
  };
  const signed = (action, payload) => Signing.sign(partyId, { action, subject: partyId, payload });

  const here = await Signing.identity(partyId);
  if (here) {
    const ownId = await Signing.keyId(here.publicKey);
    const own = document.querySelector(`.device[data-key-id="${CSS.escape(ownId)}"] .this-device`);
    if (own) own.hidden = false;
  }

  // ------------------------------------------------------------ revoking
  const dialog = document.getElementById("confirm-revoke");
  let revoking = null;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-revoke]");
    if (!button) return;
    revoking = button;
    document.getElementById("revoke-label").textContent = button.dataset.label;
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "revoke" || !revoking) return;
    const button = revoking;
    button.disabled = true;
    try {
      const step = await signed("key.revoke", { public_key: button.dataset.publicKey });
      await Signing.api("POST", `/parties/me/keys/${encodeURIComponent(button.dataset.revoke)}/revocation`, step);
      window.location.reload();
    } catch (exception) {
      button.disabled = false;
      show(exception);
    }
  });

  // ------------------------------------------------------------ pairing
  const openButton = document.getElementById("open-pairing");
  const box = document.getElementById("pairing");
  const waiting = document.getElementById("pairing-waiting");
  const check = document.getElementById("pairing-check");
  const confirmButton = document.getElementById("confirm-pairing");
  let pairing = null;
  let newKey = null;

  // The QR arrives as SVG text from our own API; parsed as SVG (never as HTML) and adopted.
  const putQr = (svgText) => {
    const svg = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
    document.getElementById("pairing-qr").replaceChildren(document.importNode(svg, true));
  };

  const stop = (message) => {
    waiting.textContent = message;
    check.hidden = true;
    openButton.disabled = false;
    pairing = null;
  };

  async function follow() {
    if (!pairing) return;
    let state;
    try {
      state = await Signing.api("GET", `/parties/me/pairings/${encodeURIComponent(pairing.id)}`);
    } catch (exception) {
      show(exception);
      return;
    }
    if (state.status === "waiting") {
      window.setTimeout(follow, POLL_MS);
    } else if (state.status === "answered") {
      newKey = state.new_key;
      document.getElementById("pairing-label").textContent = newKey.label;
      // the digits come from the key this device is about to sign for, not from the server's answer
      document.getElementById("pairing-fingerprint").textContent = await Signing.fingerprint(newKey.public_key);
      waiting.hidden = true;
      check.hidden = false;
    } else {
      stop(words["devices.expired"]);
    }
  }

  openButton.addEventListener("click", async () => {
    if (!here) {
      show({ message: words["devices.no_key_here"] });
      return;
    }
    openButton.disabled = true;
    error.hidden = true;
    try {
      pairing = await Signing.api("POST", "/parties/me/pairings");
    } catch (exception) {
      openButton.disabled = false;
      show(exception);
      return;
    }
    document.getElementById("pairing-code").textContent = pairing.code;
    document.getElementById("pairing-url").textContent = pairing.url;
    putQr(pairing.qr_svg);
    waiting.hidden = false;
    check.hidden = true;
    box.hidden = false;
    window.setTimeout(follow, POLL_MS);
  });

  confirmButton.addEventListener("click", async () => {
    if (!pairing || !newKey) return;
    confirmButton.disabled = true;
    try {
      const step = await signed("key.add", {
        public_key: newKey.public_key,
        label: newKey.label,
        possession: newKey.possession,
      });
      await Signing.api("POST", `/parties/me/pairings/${encodeURIComponent(pairing.id)}/confirmation`, step);
      window.location.reload();
    } catch (exception) {
      confirmButton.disabled = false;
      show(exception);
    }
  });

  // The digits differ: whoever answered the code is not the person's device. Nothing is added;
  // the pairing simply expires unconfirmed.
  document.getElementById("reject-pairing").addEventListener("click", () => {
    box.hidden = true;
    stop("");
  });
});
