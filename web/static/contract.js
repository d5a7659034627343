// The owner drafts a contract: the JSON API answers with the escrow, whose page then asks
// both sides to sign its terms. Drafting moves no money, so it needs the session, not a signature.
// Each typed party id is shown as its card (GET /parties/{id}/card: name, role, legal name,
// credit code, verified) before anything is created, and a draft naming a party that is unknown,
// of the wrong role or not verified by the council is refused here, in words.
//
// The payment plan starts as the standard one: its amounts come from GET /escrows/standard-plan,
// the very split POST /escrows makes (domain split_by_percent), asked rather than redone here so
// the rule lives in one place. The owner may add, remove and rename stages (rows added by
// steps.js from the form's <template>) and change any amount in yuan (fen by string arithmetic,
// Steps.parseYuan); the stages plus the retention are added up as they type, and a plan that does
// not come to the contract total is refused here, in words, before anything is sent.
// A standard stage keeps its name as the contract's data (data-standard, shown in the reader's
// words) unless the owner edits it.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const form = document.getElementById("new-contract");
  const words = JSON.parse(document.getElementById("words").textContent);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  // A resubmitted draft (the answer was lost, or Back and submit again) must not make a second
  // escrow: every submit sends the key the server drew when it first rendered this form (kept for
  // the history entry, Steps.formKey), and the API answers that key with the contract it first
  // drafted (another body: idempotency_key_reused, said in the form's own words). The form is sent
  // through Steps.handleSubmit, which sends that key and says a refusal in #step-error.

  // ------------------------------------------------------------ party cards
  const inputs = Array.from(form.querySelectorAll("input[data-role]"));
  const verdicts = new Map(); // input -> {id, problem} (problem null: the party may be named)
  // Asked afresh on every change and on submit: the council may have verified a party meanwhile.

  // Why this card's party cannot be named in this field, or null when it can.
  const problemOf = (card, wanted) => {
    if (card.role !== wanted) {
      const role = (name) => words["role." + name] || name;
      return fill(words["card.wrong_role"], { actual: role(card.role), wanted: role(wanted) });
    }
    return card.verified ? null : words["card.unverified"];
  };

  const line = (text, className) => {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  };

  // The business's stars as the scorecards show them (docs/RATINGS.md), linked to its rating page:
  // asked apart from the card and added when they come, so the record's reading never holds the
  // card's verdict or the form.
  const addRating = async (input, card) => {
    if (!card.verified) return;
    let rating;
    try {
      rating = await Signing.api("GET", "/public/ratings/" + encodeURIComponent(card.id) + ".json");
    } catch (_) {
      return; // no rating shown: the card says all the form needs
    }
    const out = document.getElementById(input.id + "-card");
    if (verdicts.get(input)?.id !== card.id || out.querySelector("p.rating")) return;
    out.append(ratingLine(card, rating));
  };

  const ratingLine = (card, rating) => {
    const stars = rating.stars;
    const link = document.createElement("a");
    link.href = "/public/ratings/" + encodeURIComponent(card.id);
    link.target = "_blank";
    if (stars === null) {
      link.textContent = fill(words["rating.unrated"], { n: rating.engagements });
    } else {
      link.textContent = "★".repeat(stars) + "☆".repeat(5 - stars);
      link.setAttribute("aria-label", fill(words["rating.aria"], { stars }));
      link.className = "stars";
    }
    const p = line(words["rating.column"] + ": ", "rating");
    p.append(link);
    return p;
  };

  const show = (input, card, problem) => {
    const out = document.getElementById(input.id + "-card");
    const parts = [];
    if (card) {
      const name = line(card.display_name + " · " + (words["role." + card.role] || card.role), "name");
      parts.push(name);
      if (card.legal_name) parts.push(line(fill(words["card.legal_name"], { value: card.legal_name })));
      if (card.credit_code) parts.push(line(fill(words["card.credit_code"], { value: card.credit_code }), "credit-code"));
    }
    parts.push(line(problem || words["card.verified"], problem ? "error" : "ok"));
    out.replaceChildren(...parts);
    out.dataset.state = problem ? "refused" : "ok";
    out.hidden = false;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  };

  const lookUp = async (input) => {
    const id = input.value.trim();
    const out = document.getElementById(input.id + "-card");
    if (!id || !input.checkValidity()) {
      verdicts.delete(input);
      out.hidden = true;
      input.removeAttribute("aria-invalid");
      return;
    }
    out.replaceChildren(line(words["card.looking"]));
    out.dataset.state = "looking";
    out.hidden = false;
    let card = null;
    let problem;
    try {
      card = await Signing.api("GET", "/parties/" + encodeURIComponent(id) + "/card");
      problem = problemOf(card, input.dataset.role);
    } catch (exception) {
      problem = exception.status === 404 ? words["card.not_found"] : words["error.step"] + " " + exception.message;
    }
    if (input.value.trim() !== id) return; // typed on while this was asked: the newer look-up shows
    verdicts.set(input, { id, problem });
    show(input, card, problem);
    if (card) addRating(input, card);
  };

  for (const input of inputs) {
    input.addEventListener("change", () => lookUp(input));
    input.addEventListener("blur", () => lookUp(input));
  }

  // ------------------------------------------------------------ the payment plan
  const plan = document.getElementById("plan");
  const sumLine = document.getElementById("plan-sum");
  const stageRows = () => Array.from(plan.querySelectorAll(".stage-row"));
  const field = (row, name) => row.querySelector(`[name="${name}"]`);
  const shownName = (name) => words["plan." + name] || name;
  // A standard stage's name unless the owner changed what is shown for it.
  const sentName = (input) => {
    const typed = input.value.trim();
    return input.dataset.standard && typed === shownName(input.dataset.standard) ? input.dataset.standard : typed;
  };
  const inputYuan = (fen) => Math.trunc(fen / 100) + "." + String(fen % 100).padStart(2, "0");
  const yuanOrNull = (text) => {
    try {
      return Steps.parseYuan(text);
    } catch (_) {
      return null;
    }
  };
  const totalFen = () => yuanOrNull(form.elements.total.value);

  // The plan as typed, and what is wrong with it, in words (a bad amount counts 0 in the sum).
  function readPlan() {
    const problems = [];
    const stages = stageRows().map((row, index) => {
      const number = index + 1;
      const name = sentName(field(row, "stage_name"));
      const typed = field(row, "stage_amount").value.trim();
      const amount = typed ? yuanOrNull(typed) : 0;
      if (!name) problems.push(fill(words["contract_form.name_required"], { number }));
      if (amount === null) problems.push(fill(words["contract_form.bad_amount"], { number, value: typed }));
      else if (amount === 0) problems.push(fill(words["contract_form.amount_required"], { number }));
      return { name, amount_fen: amount || 0 };
    });
    if (!stages.length) problems.push(words["contract_form.no_stages"]);
    const retentionTyped = form.elements.retention.value.trim();
    let retention = retentionTyped ? yuanOrNull(retentionTyped) : 0;
    if (retention === null) {
      problems.push(fill(words["contract_form.bad_retention"], { value: retentionTyped }));
      retention = 0;
    }
    const sum = stages.reduce((total, stage) => total + stage.amount_fen, 0) + retention;
    return { stages, retention, sum, problems };
  }

  // "Stages ¥a + retention ¥b = ¥c", and how that stands against the contract total.
  function showSum() {
    const { retention, sum } = readPlan();
    const total = totalFen();
    const line = fill(words["contract_form.sum"], {
      stages: Steps.yuanText(sum - retention),
      retention: Steps.yuanText(retention),
      sum: Steps.yuanText(sum),
    });
    let state = "no-total";
    let verdict = words["contract_form.no_total"];
    if (total !== null) {
      state = sum === total ? "matches" : sum < total ? "short" : "over";
      const difference = Steps.yuanText(Math.abs(total - sum));
      verdict = fill(words["contract_form." + state], { total: Steps.yuanText(total), difference });
    }
    sumLine.textContent = line + " " + verdict;
    sumLine.dataset.state = state;
  }

  // Each stage's name is labelled with its number, renumbered as rows come and go.
  function renumber() {
    stageRows().forEach((row, index) => {
      const name = field(row, "stage_name");
      const label = row.querySelector(`label[for="${name.id}"]`);
      label.textContent = fill(words["contract_form.stage_name"], { number: index + 1 });
    });
  }

  // A row added as the owner's "add a stage" adds it (steps.js), focus left where it was.
  function addRow() {
    const focused = document.activeElement;
    plan.querySelector("button[data-add-row]").click();
    if (focused) focused.focus();
    return stageRows().at(-1);
  }

  // The owner changed the plan: a new total no longer overwrites it (the standard button still does).
  let edited = stageRows().some((row) => field(row, "stage_amount").value.trim());
  let typed = 0; // how many changes the owner made to the plan: one made while a fill is on its way wins
  let filling = Promise.resolve();

  async function fillStandard() {
    const total = totalFen();
    if (total === null || total <= 0) return showSum();
    sumLine.textContent = words["contract_form.filling"];
    const before = typed;
    const standard = await Signing.api("GET", "/escrows/standard-plan?total_fen=" + total);
    if (totalFen() !== total) return; // typed on meanwhile: the newer total fills
    if (typed !== before) return showSum(); // the owner typed into the plan meanwhile: theirs stands
    const rows = stageRows();
    while (rows.length > standard.stages.length) rows.pop().remove();
    while (rows.length < standard.stages.length) rows.push(addRow());
    standard.stages.forEach((stage, index) => {
      const name = field(rows[index], "stage_name");
      name.value = shownName(stage.name);
      name.dataset.standard = stage.name;
      field(rows[index], "stage_amount").value = inputYuan(stage.amount_fen);
    });
    form.elements.retention.value = inputYuan(standard.retention_fen);
    edited = false;
    renumber();
    showSum();
  }

  const refill = () => {
    filling = fillStandard().catch((exception) => {
      showSum();
      Steps.showError(exception, form);
    });
    return filling;
  };

  plan.addEventListener("input", () => {
    edited = true;
    typed += 1;
    showSum();
  });
  plan.addEventListener("click", (event) => {
    if (event.target.closest("button[data-add-row], button[data-remove-row]")) edited = true;
  });
  new MutationObserver(() => {
    renumber();
    showSum();
  }).observe(plan, { childList: true });
  document.getElementById("standard-plan").addEventListener("click", refill);
  form.elements.total.addEventListener("input", showSum);
  form.elements.total.addEventListener("change", () => (edited ? showSum() : refill()));
  if (!edited && totalFen() !== null) refill();
  else showSum();

  Steps.handleSubmit(form, async (_, headers) => {
    for (const input of inputs) await lookUp(input);
    const problems = inputs.map((input) => verdicts.get(input)?.problem).filter(Boolean);
    if (problems.length) throw new Error(words["card.refused"] + " " + problems.join(" "));
    await filling; // a standard split still on its way for the total just typed
    const total = Steps.parseYuan(form.elements.total.value);
    const drafted = readPlan();
    if (!drafted.problems.length && drafted.sum !== total) {
      const sums = { sum: Steps.yuanText(drafted.sum), total: Steps.yuanText(total) };
      drafted.problems.push(fill(words["contract_form.mismatch"], sums));
    }
    if (drafted.problems.length) throw new Error(words["contract_form.refused"] + " " + drafted.problems.join(" "));
    const body = {
      title: form.elements.title.value.trim(),
      owner_id: form.elements.owner_id.value,
      contractor_id: form.elements.contractor_id.value.trim(),
      inspector_id: form.elements.inspector_id.value.trim(),
      total_fen: total,
      stages: drafted.stages,
      retention_fen: drafted.retention,
      includes_waterproofing: form.elements.includes_waterproofing.checked,
    };
    const created = await Signing.api("POST", "/escrows", body, headers);
    window.location.assign("/my/escrows/" + encodeURIComponent(created.escrow_id));
  });
});
