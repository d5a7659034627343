// The inbox page: mark one notification read, or all of them, then show the page again.
// Posted to the JSON API with the session cookie and the header every cookie change needs.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const post = async (path) => {
    const response = await fetch(path, { method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "fetch", "Accept-Language": document.documentElement.lang || "zh-CN" } });
    if (!response.ok) throw new Error(String(response.status));
  };
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-read], [data-read-all]");
    if (!button) return;
    button.disabled = true;
    try {
      await post(button.dataset.read !== undefined ? `/parties/me/notifications/${encodeURIComponent(button.dataset.read)}/read` : "/parties/me/notifications/read-all");
      window.location.reload();
    } catch (_) {
      document.getElementById("inbox-error").hidden = false;
      button.disabled = false;
    }
  });
});
