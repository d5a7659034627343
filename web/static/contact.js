// The contact settings page: add a channel (a code is sent over it), enter that code, ask for a
// new one, remove a channel, save the preferences. Each is a call to the JSON API with the session
// cookie (Signing.api), sent through Steps.handleSubmit or Steps.handleClick: a refusal is shown in
// the reader's words with its field, and adding a channel goes with the form's key.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const channel = (id) => `/parties/me/channels/${encodeURIComponent(id)}`;

  const adding = document.getElementById("add-channel");
  Steps.handleSubmit(adding, async (form, headers) => {
    await Signing.api("POST", "/parties/me/channels", { kind: form.kind.value, address: form.address.value }, headers);
    Steps.forgetFormKey(form);
    window.location.reload();
  });
  for (const form of document.querySelectorAll("form.verify")) {
    Steps.handleSubmit(form, Steps.thenReload(() => Signing.api("POST", channel(form.dataset.channel) + "/verify", { code: form.code.value.trim() })));
  }
  for (const button of document.querySelectorAll("[data-resend]")) {
    Steps.handleClick(button, Steps.thenReload(() => Signing.api("POST", channel(button.dataset.resend) + "/code")));
  }
  for (const button of document.querySelectorAll("[data-remove]")) {
    Steps.handleClick(button, Steps.thenReload(() => Signing.api("DELETE", channel(button.dataset.remove))));
  }
  Steps.handleSubmit(
    document.getElementById("preferences"),
    Steps.thenReload((form) => {
      const muted = [...form.querySelectorAll("input[name=muted]:checked")].map((box) => box.value);
      return Signing.api("PUT", "/parties/me/preferences", { language: form.language.value, muted, quiet_hours: form.quiet_hours.checked });
    }),
  );
});
