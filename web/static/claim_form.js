// A party files a dispute case: the claim (`claim.file`, POST /cases) an owner or contractor
// makes on the escrow page for one of its open disputes, or a car buyer on /my/cases/new with
// the car's facts (`car_facts`, expert_panels/car_claim.py).
// Only the payload is built here; steps.js shows it in plain words, signs it for the respondent
// (the form's `subject` field), posts it as the signed-in claimant (the session cookie) and goes to the new case.
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

  // A car claim's facts (the form's fieldset[data-car-facts]), each field by its name: a ticked
  // box states its value, a count is a whole number, dates come as YYYY-MM-DD from the date
  // inputs. An empty field is left out, unless the form requires it: then the refusal names it.
  function carFacts(fieldset) {
    const facts = {};
    const named = (input) => input.labels[0].textContent.trim();
    for (const input of fieldset.elements) {
      if (!input.name) continue;
      if (input.type === "checkbox") {
        if (input.checked) facts[input.name] = input.value === "true";
        continue;
      }
      const value = input.value.trim();
      if (!value) {
        if (input.required) refuse("error.car_fact_missing", { field: named(input) });
        continue;
      }
      if (!("count" in input.dataset)) {
        facts[input.name] = value;
        continue;
      }
      const digits = value.replace(/[,，\s]/g, ""); // "12,345" as people write it
      if (!/^\d{1,9}$/.test(digits)) refuse("error.car_fact_count", { field: named(input) });
      facts[input.name] = Number(digits);
    }
    if (facts.fault_on < facts.delivered_on) refuse("error.car_fact_dates");
    return facts;
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
    const facts = form.querySelector("fieldset[data-car-facts]");
    if (facts) claim.car_facts = carFacts(facts);
    const evidence = await Steps.uploadFiles(form.elements.evidence);
    if (evidence.length) claim.evidence = evidence;
    if (form.elements.escrow_id) {
      claim.escrow_id = form.elements.escrow_id.value;
      claim.escrow_dispute = Number.parseInt(form.elements.escrow_dispute.value, 10);
    }
    return claim;
  };
})();
