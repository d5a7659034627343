// The advance-compensation pages (web/fund_pages.py). A business opens its fund (POST /funds with its
// session cookie); its pledge and withdrawal, and a council member's advance for an overdue case, are
// signed steps like an escrow's (static/steps.js): the page shows in plain words exactly what will be
// signed (the amount in yuan, the case and the decision an advance pays) and signs only once the
// reader confirms. The builders below make each step's payload; the API checks every signature and
// cap, and a refusal is said in #step-error in the reader's words.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const open = document.getElementById("open-fund");
  if (open) Steps.handleClick(open, Steps.thenReload(() => Signing.api("POST", "/funds")));
});

(() => {
  "use strict";
  const amount = (form) => ({ amount_fen: Steps.parseYuan(form.elements.amount.value) });
  Steps.builders["fund.pledge"] = amount;
  Steps.builders["fund.withdraw"] = amount;
  Steps.builders["fund.advance"] = (form) => ({
    case_id: form.dataset.case,
    decision_hash: form.dataset.decision,
    ...amount(form),
  });
})();
