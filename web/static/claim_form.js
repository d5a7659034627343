// A party files a dispute case: the claim (`claim.file`, POST /cases) an owner or contractor
// makes on the escrow page for one of its open disputes, or a car buyer on /my/cases/new.
// Only the payload is built here; steps.js shows it in plain words, signs it for the respondent
// (the form's `subject` field), posts it with the claimant's token and goes to the new case.
// The payload is exactly what api/routes/cases.py reads into CaseTerms; the checks here spare
// the reader a refusal the API would give anyway, and the API still checks everything.
(() => {
  "use strict";

  const PARTY_ID = /^P-[A-Za-z0-9]+$/;
  const field = (form, name) => form.elements[name].value.trim();
  const refuse = (key, values) => {
    throw new Error(Steps.say(key, values));
  };

  // Every row is an item, its id made from its row number: a blank row is refused, not skipped,
  // so the ids the panel decides are the rows the claimant saw.
  function items(form) {
    const rows = Array.from(form.querySelectorAll(".claim-item-row"));
    if (!rows.length) refuse("error.claim_items");
    return rows.map((row, index) => {
      const description = row.querySelector("[name=description]").value.trim();
      if (!description) refuse("error.claim_item_blank", { number: index + 1 });
      return { item_id: "item-" + (index + 1), description };
    });
  }

  // On the escrow page the amount is what the dispute holds, in fen; a car buyer types yuan.
  function disputedFen(form) {
    if (form.elements.disputed_fen) return Number.parseInt(form.elements.disputed_fen.value, 10);
    return Steps.parseYuan(form.elements.amount.value);
  }

  // Checked in the order the form asks.
  Steps.builders["claim.file"] = async (form) => {
    if (!PARTY_ID.test(field(form, "subject"))) refuse("error.claim_respondent");
    const claim = {
      domain: form.elements.domain.value,
      disputed_fen: disputedFen(form),
      items: items(form),
      remedy_sought: field(form, "remedy_sought") || refuse("error.claim_remedy"),
      main_specialty: form.elements.main_specialty.value,
    };
    const evidence = await Steps.hashFiles(form.elements.evidence);
    if (evidence.length) claim.evidence = evidence;
    if (form.elements.escrow_id) {
      claim.escrow_id = form.elements.escrow_id.value;
      claim.escrow_dispute = Number.parseInt(form.elements.escrow_dispute.value, 10);
    }
    return claim;
  };
})();
