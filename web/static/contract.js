// The owner drafts a contract: the JSON API answers with the escrow, whose page then asks
// both sides to sign its terms. Drafting moves no money, so it needs the session, not a signature.
// Each typed party id is shown as its card (GET /parties/{id}/card: name, role, legal name,
// credit code, verified) before anything is created, and a draft naming a party that is unknown,
// of the wrong role or not verified by the council is refused here, in words.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const form = document.getElementById("new-contract");
  const error = document.getElementById("step-error");
  const words = JSON.parse(document.getElementById("words").textContent);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  // A resubmitted draft (the answer was lost, the button pressed again) must not make a second
  // escrow: the same form content on this page load sends the same Idempotency-Key.
  const pageLoad = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const draftKey = async (body) => "draft-" + (await Signing.sha256Hex(pageLoad + Signing.canonicalJson(body))).slice(0, 40);

  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
    error.focus();
  };

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
  };

  for (const input of inputs) {
    input.addEventListener("change", () => lookUp(input));
    input.addEventListener("blur", () => lookUp(input));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      for (const input of inputs) await lookUp(input);
      const problems = inputs.map((input) => verdicts.get(input)?.problem).filter(Boolean);
      if (problems.length) {
        showError(words["card.refused"] + " " + problems.join(" "));
        return;
      }
      const body = {
        title: form.elements.title.value.trim(),
        owner_id: form.elements.owner_id.value,
        contractor_id: form.elements.contractor_id.value.trim(),
        inspector_id: form.elements.inspector_id.value.trim(),
        total_fen: Steps.parseYuan(form.elements.total.value),
        includes_waterproofing: form.elements.includes_waterproofing.checked,
      };
      const headers = { "Idempotency-Key": await draftKey(body) };
      const created = await Signing.api("POST", "/escrows", body, headers);
      window.location.assign("/my/escrows/" + encodeURIComponent(created.escrow_id));
    } catch (exception) {
      showError(words["error.step"] + " " + Signing.refusalText(exception, { form, box: error }));
    } finally {
      button.disabled = false;
    }
  });
});
