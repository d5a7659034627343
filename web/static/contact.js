// The contact settings page: add a channel (a code is sent over it), enter that code, ask for a
// new one, remove a channel, save the preferences. Each is a call to the JSON API with the session
// cookie and the header every cookie change needs; a refusal is shown in the reader's words.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const words = document.getElementById("contact-words").dataset;
  const error = document.getElementById("contact-error");

  const call = async (method, path, body) => {
    const headers = { "X-Requested-With": "fetch", "Accept-Language": document.documentElement.lang || "zh-CN" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, credentials: "same-origin", headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.ok) return;
    let detail = {};
    try {
      detail = (await response.json()).detail || {};
    } catch (_) {
      // not our error shape: the generic sentence below
    }
    const code = detail.code || "";
    error.dataset.code = code;
    const known = words[code.replace(/_/g, "-").replace(/-([a-z])/g, (_, letter) => letter.toUpperCase())];
    throw new Error(known || (detail.message ? `${words.failed} ${detail.message}` : words.failed));
  };
  const run = async (button, action) => {
    if (button) button.disabled = true;
    try {
      await action();
      window.location.reload();
    } catch (exception) {
      error.textContent = exception.message;
      error.hidden = false;
      if (button) button.disabled = false;
    }
  };

  document.getElementById("add-channel").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    run(form.querySelector("button"), () => call("POST", "/parties/me/channels", { kind: form.kind.value, address: form.address.value }));
  });
  for (const form of document.querySelectorAll("form.verify")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const path = `/parties/me/channels/${encodeURIComponent(form.dataset.channel)}/verify`;
      run(form.querySelector("button[type=submit]"), () => call("POST", path, { code: form.code.value.trim() }));
    });
  }
  document.addEventListener("click", (event) => {
    const resend = event.target.closest("[data-resend]");
    const remove = event.target.closest("[data-remove]");
    if (resend) run(resend, () => call("POST", `/parties/me/channels/${encodeURIComponent(resend.dataset.resend)}/code`));
    if (remove) run(remove, () => call("DELETE", `/parties/me/channels/${encodeURIComponent(remove.dataset.remove)}`));
  });
  document.getElementById("preferences").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const muted = [...form.querySelectorAll("input[name=muted]:checked")].map((box) => box.value);
    run(form.querySelector("button"), () => call("PUT", "/parties/me/preferences", { language: form.language.value, muted, quiet_hours: form.quiet_hours.checked }));
  });
});
