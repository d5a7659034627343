// The signed steps of a dispute case on the council's and experts' case pages: acceptance or
// rejection, the independence declaration, the chair's summary, the panel's and the council's
// signatures on the decision. Only the payloads are built here; steps.js shows them in plain
// words, signs after the reader confirms and posts them (each form's data-url, under
// /cases/{case_id}), exactly as on the escrow pages. The fields and their rules are the
// dispute machine's (domain/dispute/machine.py CASE_RULES and `_plan_*`); the checks here only
// spare the reader a refusal the machine would give anyway.
(() => {
  "use strict";

  const say = (key) => Steps.say(key);
  const field = (form, name) => form.elements[name].value.trim();

  function required(form, name, errorKey) {
    const value = field(form, name);
    if (!value) throw new Error(say(errorKey));
    return value;
  }

  Object.assign(Steps.builders, {
    "case.accept": (form) => (field(form, "note") ? { note: field(form, "note") } : {}),
    "case.reject": (form) => ({ reasons: required(form, "reasons", "error.reasons_required") }),
    "declaration.sign": (form) => {
      const independent = form.elements.independent.value === "yes";
      if (independent) return { independent };
      return { independent, reason: required(form, "reason", "error.decline_reason") };
    },
    "decision.summarise": (form) => {
      const summary = required(form, "summary", "error.summary_required");
      if (form.elements.remedy) return { summary, remedy: form.elements.remedy.value };
      const outcome = form.elements.outcome.value;
      if (outcome !== "rework") return { summary, outcome };
      const days = Number(field(form, "rework_days"));
      if (!Number.isInteger(days) || days < 1) throw new Error(say("error.rework_days"));
      return { summary, outcome, rework_days: days };
    },
    "decision.sign": (form) => {
      const dissent = field(form, "dissent");
      const payload = { decision_hash: form.elements.decision_hash.value };
      return dissent ? { ...payload, dissent } : payload;
    },
    "decision.countersign": (form) => ({ decision_hash: form.elements.decision_hash.value }),
  });
})();
