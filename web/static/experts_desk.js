// The council's expert registry desk: add an expert, change one, link its signing party (shown as
// its card first), deactivate or reactivate one (after a confirmation), import a CSV file and show
// what became of each row. Each form sends JSON (the import: the file itself) to the registry API
// as the signed-in council member; the API's rules decide, and its refusal is shown as it is.
// Nothing is signed: the registry is the council's own record.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const base = "/experts";
  const say = (key, values = {}) => Steps.say(key, values);
  const entry = (id) => base + "/" + encodeURIComponent(id);
  const checked = (form) => Array.from(form.querySelectorAll("input[name=specialties]:checked"), (box) => box.value);
  const line = (text, className) => {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  };

  // ------------------------------------------------------------ the new form: a field's specialties
  const newForm = document.getElementById("new-expert");
  if (newForm) {
    const showDomain = () => {
      newForm.querySelectorAll(".specialty-group").forEach((group) => {
        group.hidden = group.dataset.domain !== newForm.elements.domain.value;
        if (group.hidden) group.querySelectorAll("input").forEach((box) => { box.checked = false; });
      });
    };
    newForm.elements.domain.addEventListener("change", showDomain);
    showDomain();
  }

  // ------------------------------------------------------------ the party to link, as its card
  // Asked afresh on every change and on submit; only a party registered as an expert may be linked.
  const partyInput = document.getElementById("party-id");
  const card = document.getElementById("party-id-card");
  let verdict = null; // {id, problem}: problem null when the party may be linked

  async function lookUp() {
    const id = partyInput.value.trim();
    if (!id || !partyInput.checkValidity()) {
      verdict = null;
      card.hidden = true;
      return;
    }
    document.getElementById("step-error").hidden = true; // a refusal of the party looked up before
    card.replaceChildren(line(say("card.looking")));
    card.dataset.state = "looking";
    card.hidden = false;
    const parts = [];
    let problem = null;
    try {
      const found = await Signing.api("GET", "/parties/" + encodeURIComponent(id) + "/card");
      parts.push(line(found.display_name + " · " + say("role." + found.role), "name"));
      if (found.role !== "expert") {
        problem = say("card.wrong_role", { actual: say("role." + found.role), wanted: say("role.expert") });
      }
    } catch (exception) {
      problem = exception.status === 404 ? say("card.not_found") : say("error.step") + " " + exception.message;
    }
    if (partyInput.value.trim() !== id) return; // typed on meanwhile: the newer look-up shows
    parts.push(line(problem || say("experts_desk.card_ok"), problem ? "error" : "ok"));
    card.replaceChildren(...parts);
    card.dataset.state = problem ? "refused" : "ok";
    partyInput.setAttribute("aria-invalid", problem ? "true" : "false");
    verdict = { id, problem };
  }

  if (partyInput) {
    partyInput.addEventListener("change", lookUp);
    partyInput.addEventListener("blur", lookUp);
  }

  // ------------------------------------------------------------ deactivate / reactivate, confirmed
  const dialog = document.getElementById("confirm-status");
  const confirmed = (form) => new Promise((resolve) => {
    const key = form.dataset.expert === "deactivate" ? "experts_desk.confirm_deactivate" : "experts_desk.confirm_reactivate";
    document.getElementById("confirm-status-text").textContent = say(key, { name: form.dataset.name });
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.showModal();
  });

  // ------------------------------------------------------------ the CSV import and its report
  // A problem's field in words: "affiliations[1].kind" is the row's ties, "specialties" its specialties.
  const field = (name) => say("experts_desk.field." + name.split(/[[.]/)[0]);

  function report(rows, summary) {
    const body = document.getElementById("import-rows");
    body.replaceChildren(...rows.map(([row, text, className, code]) => {
      const tr = document.createElement("tr");
      tr.className = className;
      if (code) tr.dataset.code = code; // a refused row's reason for programs; its words are the API's, in the page's language
      const number = document.createElement("td");
      number.textContent = row;
      const outcome = document.createElement("td");
      outcome.textContent = text;
      tr.append(number, outcome);
      return tr;
    }));
    document.getElementById("import-summary").textContent = summary;
    const box = document.getElementById("import-report");
    box.hidden = false;
    box.scrollIntoView();
  }

  async function importFile(form) {
    const file = form.elements.file.files[0];
    const limit = Number(form.dataset.maxBytes);
    const tooLarge = () => new Signing.StepError(413, "csv_too_large",
      say("experts_desk.too_large", { size: Math.floor(limit / 1024 / 1024) + " MB" }));
    if (file.size > limit) throw tooLarge();
    const response = await Signing.fetch(base + "/import", {
      method: "POST",
      headers: { ...Signing.SESSION_HEADERS, "Content-Type": "text/csv; charset=" + form.elements.encoding.value },
      credentials: "same-origin",
      body: file,
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (_) {
      answer = null;
    }
    const detail = answer && answer.detail;
    if (response.ok) {
      const rows = answer.rows.map((row) => [row.row, say("experts_desk.report_added", { expert_id: row.expert_id }), "ok"]);
      report(rows, say("experts_desk.report_all_added", { count: answer.imported }));
      return;
    }
    if (detail && detail.code === "invalid_rows") {
      const rows = detail.rows.map((row) => [
        row.row, say("experts_desk.report_refused", { field: field(row.field), message: row.message }), "error", row.code,
      ]);
      const bad = new Set(detail.rows.map((row) => row.row)).size;
      report(rows, say("experts_desk.report_none_added", { count: bad }));
      return;
    }
    if (response.status === 413) throw tooLarge();
    const code = detail && detail.code ? detail.code : "http_error";
    const message = detail && detail.message ? detail.message : response.statusText;
    throw new Signing.StepError(response.status, code, say("experts_desk.file_refused") + " " + message);
  }

  // ------------------------------------------------------------ the create form's key
  // The form carries a key drawn when it was shown. A browser going Back shows the form afresh
  // (pages are never cached) with what was typed but a new key: so the key first sent for a body
  // is kept in this tab, and the same body sent again goes with it and gets the same expert.
  async function formKey(form, body) {
    const slot = "expert-create:" + (await Signing.sha256Hex(Signing.canonicalJson(body)));
    const kept = window.sessionStorage.getItem(slot);
    if (kept) return kept;
    const key = form.elements.idempotency_key.value;
    window.sessionStorage.setItem(slot, key);
    return key;
  }

  // ------------------------------------------------------------ the forms
  const fields = (form) => ({
    name: form.elements.name.value.trim(),
    specialties: checked(form),
    affiliations: Steps.ties(form.elements.affiliations.value),
  });

  // Each returns the page to show next, or null when the form was not sent.
  const actions = {
    create: async (form) => {
      const body = { ...fields(form), domain: form.elements.domain.value };
      const expertId = form.elements.expert_id.value.trim();
      if (expertId) body.expert_id = expertId;
      const headers = { "Idempotency-Key": await formKey(form, body) };
      const stored = await Signing.api("POST", base, body, headers);
      return "/council/experts/" + encodeURIComponent(stored.expert_id);
    },
    edit: async (form) => {
      await Signing.api("PATCH", entry(form.dataset.id), fields(form));
      return window.location.href;
    },
    link: async (form) => {
      await lookUp();
      if (!verdict || verdict.problem) throw new Error((verdict && verdict.problem) || say("experts_desk.check_card"));
      await Signing.api("PATCH", entry(form.dataset.id), { party_id: verdict.id });
      return window.location.href;
    },
    unlink: async (form) => {
      await Signing.api("PATCH", entry(form.dataset.id), { party_id: null });
      return window.location.href;
    },
    deactivate: async (form) => {
      if (!(await confirmed(form))) return null;
      await Signing.api("POST", entry(form.dataset.id) + "/deactivation");
      return window.location.href;
    },
    reactivate: async (form) => {
      if (!(await confirmed(form))) return null;
      await Signing.api("POST", entry(form.dataset.id) + "/reactivation");
      return window.location.href;
    },
    import: async (form) => {
      await importFile(form);
      return null;
    },
  };

  document.querySelectorAll("form[data-expert]").forEach((form) =>
    Steps.handleSubmit(form, async () => {
      const next = await actions[form.dataset.expert](form);
      if (next === window.location.href) window.location.reload();
      else if (next) window.location.assign(next);
    }),
  );
});
