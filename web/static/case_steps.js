// The signed steps of a dispute case on the council's, the experts' and the parties' case
// pages: acceptance or rejection, the independence declaration, the chair's summary, the
// panel's and the council's signatures on the decision; the respondent's answer, settlements,
// strikes, evidence, objections, the dealer's confirmation of the remedy and the claimant's
// withdrawal. Only the payloads are built here (and the chair's reasons for departing from a
// car's statutory remedy shown when they are needed); steps.js shows them in plain words, signs
// after the reader confirms and posts them (each form's data-url, under /cases/{case_id}),
// exactly as on the escrow pages. The fields and their rules are the dispute machine's
// (domain/case/machine.py CASE_RULES and `_plan_*`); the checks here only spare the
// reader a refusal the machine would give anyway.
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
    // The council's reasons in its own words, and the grounds of Order No. 20 art. 15 it ticked.
    "case.reject": (form) => {
      const reasons = required(form, "reasons", "error.reasons_required");
      const grounds = [...form.querySelectorAll('input[name="grounds"]:checked')].map((box) => box.value);
      return grounds.length ? { reasons, grounds } : { reasons };
    },
    "declaration.sign": (form) => {
      const independent = form.elements.independent.value === "yes";
      if (independent) return { independent };
      return { independent, reason: required(form, "reason", "error.decline_reason") };
    },
    "decision.summarise": (form) => {
      const summary = required(form, "summary", "error.summary_required");
      if (form.elements.remedy) return withDeparture(form, { summary, remedy: form.elements.remedy.value });
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
    // The council's decision for the escrow, carried inside its enforcement step for the case:
    // the amounts are the case's concluded outcome, rendered by the server; the reasons are the council's.
    "enforcement.submit": (form) => {
      const number = (name) => Number(form.elements[name].value);
      const decided = {
        dispute: number("dispute"),
        outcome: form.elements.outcome.value,
        pay_fen: number("pay_fen"),
        refund_fen: number("refund_fen"),
        reasons: required(form, "reasons", "error.reasons_required"),
        decision_hash: form.elements.decision_hash.value,
      };
      if (number("rework_days")) decided.rework_days = number("rework_days");
      return { escrow_step: escrowStep(form, "dispute.decide", decided) };
    },
    // The answer, its files, and in a car case the defences of Order No. 43 the dealer ticked.
    "answer.submit": async (form) => {
      const text = required(form, "text", "error.answer_required");
      const defences = [...form.querySelectorAll('input[name="defences"]:checked')].map((box) => box.value);
      const evidence = await Steps.uploadFiles(form.elements.evidence);
      const payload = evidence.length ? { text, evidence } : { text };
      return defences.length ? { ...payload, defences } : payload;
    },
    "settlement.sign": async (form) => {
      const terms = form.elements.pay ? proposedTerms(form) : agreedTerms(form);
      // The machine reads a renovation settlement without a remedy as "-", and hashes it so.
      const settled = { case_id: pageSubject(), remedy: "-", ...terms };
      return { ...terms, settlement_hash: await Signing.contentHash(settled) };
    },
    "strike.submit": (form) => ({
      expert_id: form.elements.expert_id.value,
      reason: required(form, "reason", "error.reason_required"),
    }),
    "evidence.submit": async (form) => {
      if (!form.elements.evidence.files.length) throw new Error(say("error.evidence_required"));
      const evidence = await Steps.uploadFiles(form.elements.evidence);
      const note = field(form, "note");
      return { evidence, reply: form.elements.reply.value === "yes", ...(note ? { note } : {}) };
    },
    "decision.object": (form) => ({ reason: required(form, "reason", "error.reason_required") }),
    "remedy.confirm": (form) => ({ remedy: form.elements.remedy.value }),
    // A case deciding an escrow's dispute drops that dispute too: the claimant's own
    // dispute.withdraw for the escrow rides inside the case step.
    "case.withdraw": (form) => {
      const reason = required(form, "reason", "error.reason_required");
      if (!form.elements.escrow_id) return { reason };
      const withdrawn = { dispute: Number(form.elements.dispute.value), case_id: pageSubject() };
      return { reason, escrow_step: escrowStep(form, "dispute.withdraw", withdrawn) };
    },
    "mediation.extend": (form) => {
      const days = Number(field(form, "working_days"));
      const most = Number(form.elements.working_days.max);
      if (!Number.isInteger(days) || days < 1 || days > most) throw new Error(say("error.working_days"));
      return { working_days: days };
    },
    "clock.pause": (form) => ({ reason: required(form, "reason", "error.reason_required") }),
    "clock.resume": (form) => (field(form, "note") ? { note: field(form, "note") } : {}),
    // The joint inspection's report is signed by its hash alone: the file stays with the reader.
    "inspection.sign": async (form) => {
      const [report] = form.elements.report.files;
      if (!report) throw new Error(say("error.report_required"));
      return { report_hash: await Signing.fileHash(report) };
    },
  });

  const pageSubject = () => document.getElementById("page-data").dataset.subject;

  // A car claim that states its facts has a statutory remedy (the remedy select's data-statutory):
  // a chair who picks another says why the panel departs from it, and only then.
  const departs = (select) => select.dataset.statutory !== undefined && select.value !== select.dataset.statutory;

  function withDeparture(form, payload) {
    if (!departs(form.elements.remedy)) return payload;
    return { ...payload, departure_reason: required(form, "departure_reason", "error.departure_reason_required") };
  }

  // The reasons field shows (and is required) while the chosen remedy is not the statutory one.
  function showDeparture(select) {
    const reasons = select.form.elements.departure_reason;
    reasons.required = departs(select);
    reasons.closest("#departure").hidden = !reasons.required;
  }

  // Deferred, so the page is parsed; a reloaded page may have kept an earlier choice.
  document.querySelectorAll("select[data-statutory]").forEach(showDeparture);
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-statutory]")) showDeparture(event.target);
  });

  // A step for the case's escrow (the form's hidden escrow_id), carried in the case step's
  // payload and signed by the same reader once they confirm both (steps.js `inner`).
  const escrowStep = (form, action, payload) =>
    Steps.inner({ action, subject: form.elements.escrow_id.value, payload });

  // A renovation settlement splits the disputed amount (what the business is paid, the rest
  // refunded); a car settlement names the remedy the dealer will confirm and moves no money here.
  function proposedTerms(form) {
    if (form.elements.remedy) return { pay_fen: 0, refund_fen: 0, remedy: form.elements.remedy.value };
    const disputed = Number(form.dataset.disputedFen);
    const pay = Steps.parseYuan(form.elements.pay.value);
    if (pay > disputed) throw new Error(say("error.settlement_exceeds"));
    return { pay_fen: pay, refund_fen: disputed - pay };
  }

  function agreedTerms(form) {
    const terms = { pay_fen: Number(form.elements.pay_fen.value), refund_fen: Number(form.elements.refund_fen.value) };
    const remedy = form.elements.remedy.value;
    return remedy === "-" ? terms : { ...terms, remedy };
  }
})();
