// The advance-compensation pages (web/fund_pages.py). A business opens its fund (POST /funds with its
// session cookie), then signs `fund.pledge` or `fund.withdraw` with its own key; a council member
// signs `fund.advance` for an overdue case, naming the case and the decision it pays. Each form says
// its step (data-fund-step), its fund and its route; amounts are typed in yuan and sent in fen. The
// API checks every signature and cap, and a refusal is said in #step-error in the reader's words.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const page = document.getElementById("fund-page");
  if (!page) return;
  const open = document.getElementById("open-fund");
  if (open) Steps.handleClick(open, Steps.thenReload(() => Signing.api("POST", "/funds")));

  const payload = (form) => {
    const data = form.dataset;
    const amount = { amount_fen: Steps.parseYuan(form.elements.amount.value) };
    return data.case ? { case_id: data.case, decision_hash: data.decision, ...amount } : amount;
  };
  for (const form of document.querySelectorAll("form[data-fund-step]")) {
    Steps.handleSubmit(form, async (form, headers) => {
      const data = form.dataset;
      const step = { action: data.fundStep, subject: data.fund, payload: payload(form) };
      await Signing.post(data.url, await Signing.sign(page.dataset.party, step), headers);
      Steps.forgetFormKey(form);
      window.location.reload();
    });
  }
});
