// The escrow page's signed steps: each <form data-step="action" data-url="..."> builds its
// payload, the page shows in plain words exactly what will be signed, and only after the
// party confirms is the envelope signed (signing.js) and posted to the JSON API.
//
// A page using it includes "sign_dialog.html" (the confirmation dialog and the error line),
// the words of `STEP_WORDS` (web/escrow_pages.py) and
//   <div id="page-data" hidden data-party-id data-party-name data-subject [data-subject-label] [data-version]>
// where data-subject is the escrow or case id every envelope is signed for (named in the dialog
// by the word data-subject-label, "field.subject" if none); with
// data-version the page polls `<its own path>/version` and refreshes when that changes.
//
// A form may say more (a claim, POST /cases, needs all three):
//   a `subject` field (hidden, or typed like a dealer's id): its envelopes are signed for that
//     subject instead of the page's, named in the dialog by the form's data-subject-label;
//   data-auth="session": posted as the signed-in party (its session cookie), for an endpoint that
//     knows the signer by it, rather than with the signature alone;
//   data-then="/my/cases/{case_id}": once accepted, go there ({name} filled from the answer)
//     instead of reloading the page.
// The dialog labels a payload field by the word `field.<action>.<key>` when the page has one
// (a claim's "items" are not a holdback release's), else `field.<key>`; the fields of an object
// in it (an item of a list, a claim's car facts) by `field.<key>`.
//
// API (window.Steps):
//   builders[action] = async (form) => payload     one per step; pages may add their own
//   describe(envelope, form) -> [{label, value | items}]  the plain-word lines shown before signing
//   confirmAndSubmit(form, envelope) -> answer       shows the dialog, signs, posts, or throws
//   say(key, {name: value}) -> text                 a word of the page's #words, values filled in
//   yuanText(fen) -> "¥1,234.56"                    parseYuan("1234.5") -> 123450 (no floats)
//   uploadFiles(fileInput) -> ["sha256:<hex>", ...]  each chosen file hashed here, uploaded to the
//                                                   evidence store under that hash, the answer checked
//   inner({action, subject, payload}) -> a step to carry in a payload, signed once the reader confirms
//   showError(exception, form?)                     the refusal in #step-error, in the reader's words
//   handleSubmit(form, send)                        a form sent by its own script, send(form, headers) with
//                                                   its form key: button off meanwhile, a refusal said
//   handleClick(button, send)                       a button acting on its own, sent the same way
//   thenReload(call) -> send                        a send that reloads the page once call is answered
//   forgetFormKey(form)                             its record made, the page reloads for the next one
//   ties(text) -> [{org_id, kind, start, end?}]     affiliations typed one a line, org|kind|start|end
//   formKey(form) -> the Idempotency-Key of a create form (data-idempotency-key), kept for its history entry
(() => {
  "use strict";

  const words = () => JSON.parse(document.getElementById("words").textContent);
  // A sentence that counts something: its `key.one` when the count (the first of COUNTS among the
  // values) is exactly one and the page has that word (web/i18n.py's rule); every {name} filled.
  const COUNTS = ["count", "n", "days", "hours", "minutes", "seconds", "attempts"];
  const numbered = (key, values) => {
    const counted = COUNTS.find((name) => name in values);
    return counted !== undefined && values[counted] === 1 && (key + ".one") in words() ? key + ".one" : key;
  };
  const say = (key, values = {}) => {
    const found = numbered(key, values);
    return (words()[found] || found).replace(/\{(\w+)\}/g, (hole, name) => (name in values ? String(values[name]) : hole));
  };
  const label = (action, key) => say(words()[`field.${action}.${key}`] ? `field.${action}.${key}` : "field." + key);

  function yuanText(fen) {
    const sign = fen < 0 ? "-" : "";
    const whole = Math.trunc(Math.abs(fen) / 100);
    const cents = String(Math.abs(fen) % 100).padStart(2, "0");
    return sign + "¥" + whole.toLocaleString("en-US") + "." + cents;
  }

  // Yuan typed by a person to integer fen, by string arithmetic: 0.1 + 0.2 never happens here.
  function parseYuan(text) {
    const cleaned = String(text).trim().replace(/[,，\s¥]/g, "");
    const match = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(cleaned);
    if (!match) throw new Error(say("error.amount", { value: text }));
    return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
  }

  // ------------------------------------------------------------ evidence files
  // A step names its files by the SHA-256 of their bytes, and the API refuses a step naming a
  // file the evidence store does not hold (docs/EVIDENCE.md): so each chosen file is hashed
  // here, its bytes PUT under that hash, and the answer must name the same hash before anything
  // is signed. A file already stored (a retry after a cancelled dialog) is not sent again.
  // Progress shows per file under its input: a few minutes of phone video takes a while.
  const uploaded = new Map(); // digest -> the file chosen for it: the dialog names it, not only its hash
  // The query's `name` takes no control characters and at most 200 of the rest (api/routes/evidence.py).
  const uploadName = (file) => Array.from(file.name.replace(/[\u0000-\u001f\u007f]/g, "")).slice(0, 200).join("");

  function sizeText(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  // One line per file under the input: its name, a <progress> and what happened.
  function statusLines(input) {
    let list = input.nextElementSibling;
    if (!list || !list.classList.contains("uploads")) {
      list = document.createElement("ul");
      list.className = "uploads";
      list.setAttribute("aria-live", "polite");
      input.after(list);
    }
    list.replaceChildren();
    return (file) => {
      const line = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = file.name + " (" + sizeText(file.size) + ")";
      const bar = document.createElement("progress");
      bar.max = file.size || 1;
      bar.value = 0;
      const state = document.createElement("span");
      state.className = "upload-state";
      line.append(name, bar, state);
      list.append(line);
      return {
        progress: (sent) => {
          bar.value = sent;
          state.textContent = say("upload.sending", { percent: Math.floor((100 * sent) / (file.size || 1)) });
        },
        say: (key) => {
          state.textContent = say(key);
          if (key === "upload.done") bar.value = bar.max;
        },
      };
    };
  }

  const refused = (file, status, code, message) => {
    const key = "upload.refused." + code;
    const text = words()[key] ? say(key, { name: file.name }) : say("upload.refused", { name: file.name, reason: message });
    return new Signing.StepError(status, code, text);
  };

  function put(file, digest, line) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("PUT", "/evidence/" + digest + "?name=" + encodeURIComponent(uploadName(file)));
      for (const [header, value] of Object.entries(Signing.SESSION_HEADERS)) request.setRequestHeader(header, value);
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.setRequestHeader("Accept-Language", Signing.language());
      request.upload.onprogress = (event) => line.progress(event.loaded);
      request.onerror = () => reject(new Error("no answer"));
      request.onload = () => {
        let body = null;
        try {
          body = JSON.parse(request.responseText);
        } catch (_) {
          body = null;
        }
        if (request.status === 200 || request.status === 201) return resolve(body);
        const detail = body && typeof body.detail === "object" && body.detail ? body.detail : {};
        reject(refused(file, request.status, detail.code || "http_error", detail.message || request.statusText));
      };
      request.send(file);
    });
  }

  // The store's record of a file this reader may already read (its own earlier upload), else null.
  async function stored(digest) {
    const response = await Signing.fetch("/evidence/" + digest + "/meta", { credentials: "same-origin" });
    return response.ok ? response.json() : null;
  }

  async function uploadFiles(input) {
    const digests = [];
    const chosen = Array.from(input ? input.files : []);
    const lineFor = chosen.length ? statusLines(input) : null;
    for (const file of chosen) {
      const line = lineFor(file);
      line.say("upload.hashing");
      const digest = await Signing.fileHash(file);
      let record = null;
      try {
        record = (await stored(digest)) || (await put(file, digest, line));
      } catch (exception) {
        line.say("upload.failed");
        // A refusal names its reason; anything else is a connection that dropped on the way.
        throw exception instanceof Signing.StepError ? exception : new Error(say("upload.no_answer", { name: file.name }));
      }
      if (!record || record.digest !== digest) {
        line.say("upload.failed");
        throw new Error(say("upload.mismatch", { name: file.name }));
      }
      line.say("upload.done");
      uploaded.set(digest, file);
      digests.push(digest);
    }
    return digests;
  }

  // A file the reader chose, by its name and size, then its hash (what is signed).
  function fileText(digest) {
    const file = uploaded.get(digest);
    return file ? file.name + " (" + sizeText(file.size) + ") " + digest : digest;
  }

  const integer = (form, name) => Number.parseInt(form.elements[name].value, 10);
  const rows = (form, selector) => Array.from(form.querySelectorAll(selector));
  const text = (row, name) => row.querySelector(`[name="${name}"]`).value.trim();

  function withOptional(payload, optional) {
    for (const [key, value] of Object.entries(optional)) {
      if (value !== "" && value !== false && !(Array.isArray(value) && value.length === 0)) payload[key] = value;
    }
    return payload;
  }

  const builders = {
    "contract.sign": (form) => ({ terms_hash: form.elements.terms_hash.value }),
    // The stage's photos and note, and items each with a note and its photos: a row with
    // photos needs its note (what they show); a blank row is left out.
    "inspection.request": async (form) => {
      const photos = (row) => row.querySelector("[name=item_files]");
      const chosen = rows(form, ".item-row").filter((row) => text(row, "item_note") || photos(row).files.length);
      if (chosen.some((row) => !text(row, "item_note"))) throw new Error(say("error.item_note_required"));
      const items = [];
      for (const row of chosen) {
        items.push(withOptional({ note: text(row, "item_note") }, { files: await uploadFiles(photos(row)) }));
      }
      const evidence = await uploadFiles(form.elements.evidence);
      return withOptional({ stage: integer(form, "stage") }, { evidence, note: form.elements.note.value.trim(), items });
    },
    "inspection.report": async (form) => {
      const result = form.elements.result.value;
      const described = rows(form, ".defect-row").filter((row) => text(row, "description"));
      if (result === "fail" && !described.length) throw new Error(say("error.defects_required"));
      const defects = [];
      for (const row of described) {
        const defect = {
          description: text(row, "description"),
          location: text(row, "location"),
          cost_estimate_fen: parseYuan(text(row, "cost") || "0"),
        };
        defects.push(withOptional(defect, { photos: await uploadFiles(row.querySelector("[name=photos]")) }));
      }
      const files = await uploadFiles(form.elements.files);
      const stage = integer(form, "stage");
      const round = integer(form, "round");
      // The report's hash commits to everything the inspector wrote, the notes and files included.
      const notes = form.elements.notes.value.trim();
      const report = withOptional({ escrow: pageData().subject, stage, round, result, defects, notes }, { files });
      const payload = { stage, round, result, report_hash: "sha256:" + (await Signing.contentHash(report)) };
      return withOptional(payload, { defects, files });
    },
    "stage.accept": (form) => ({
      stage: integer(form, "stage"),
      amount_fen: integer(form, "amount_fen"),
      report_hash: form.elements.report_hash.value,
    }),
    "stage.accept_partial": (form) => {
      const holdbacks = rows(form, ".holdback-row")
        .filter((row) => text(row, "description"))
        .map((row, index) => ({
          item: "item-" + (index + 1),
          description: text(row, "description"),
          amount_fen: parseYuan(text(row, "amount")),
        }));
      if (!holdbacks.length) throw new Error(say("error.holdbacks_required"));
      const held = holdbacks.reduce((sum, holdback) => sum + holdback.amount_fen, 0);
      const amount = integer(form, "amount_fen");
      if (held >= amount) throw new Error(say("error.holdback_too_large", { amount: yuanText(amount) }));
      return {
        stage: integer(form, "stage"),
        pay_fen: amount - held,
        holdbacks,
        report_hash: form.elements.report_hash.value,
      };
    },
    "holdback.release": (form) => {
      const chosen = rows(form, "input[name=item]:checked");
      if (!chosen.length) throw new Error(say("error.choose_items"));
      return {
        stage: integer(form, "stage"),
        items: chosen.map((box) => box.value),
        amount_fen: chosen.reduce((sum, box) => sum + Number(box.dataset.amountFen), 0),
      };
    },
    "dispute.raise": async (form) => {
      const stages = rows(form, "input[name=stages]:checked").map((box) => Number(box.value));
      const retention = Boolean(form.elements.include_retention && form.elements.include_retention.checked);
      if (!stages.length && !retention) throw new Error(say("error.choose_disputed"));
      return withOptional(
        { reason: form.elements.reason.value.trim() },
        { stages, include_retention: retention, evidence: await uploadFiles(form.elements.evidence) },
      );
    },
    "warranty.claim": async (form) =>
      withOptional(
        { description: form.elements.description.value.trim(), amount_fen: parseYuan(form.elements.amount.value) },
        { evidence: await uploadFiles(form.elements.evidence) },
      ),
    "warranty.withdraw": (form) => ({ claim: integer(form, "claim") }),
    // Proposing a cancellation needs a reason (the field is required); agreeing may add a note.
    "cancel.sign": (form) => {
      const reason = form.elements.reason.value.trim();
      if (form.elements.reason.required && !reason) throw new Error(say("error.reason_required"));
      return withOptional({}, { reason });
    },
  };

  // ------------------------------------------------------------ plain words
  function plain(key, value) {
    if (Array.isArray(value)) return value.map((part) => plain(key, part)).join("; ");
    if (uploaded.has(value)) return fileText(value);
    if (typeof value === "boolean") return say(value ? "word.yes" : "word.no");
    if (typeof value === "number" && key.endsWith("_fen")) return yuanText(value);
    if (key === "result") return say("result." + value);
    if (key === "outcome" || key === "remedy") return say("decision." + key + "." + value);
    if (key === "domain") return say("domain." + value);
    if (key === "main_specialty") return say("specialty." + value);
    if (key === "fault_part") return say("fault_part." + value);
    if (key === "grounds") return say("ground." + value);
    if (key === "defences") return say("defence." + value);
    return String(value);
  }

  // An object's fields, each named by its word: an item of a list, or a claim's car facts.
  const fieldsOf = (object) =>
    Object.entries(object).map(([name, part]) => say("field." + name) + ": " + plain(name, part));
  const isObject = (value) => value !== null && typeof value === "object";

  // An item of a list in its words: a holdback or a claimed item by the description it is signed
  // with, then its other fields; the id the step names it by ("item-1") only as a hint at the end.
  function itemLine(object) {
    const { item, item_id: itemId, description, ...rest } = object;
    const id = item || itemId;
    if (!id || typeof description !== "string") return fieldsOf(object).join("; ");
    return [description, ...fieldsOf(rest)].join("; ") + " " + say("field.item_hint", { id });
  }

  function describeValue(key, value) {
    if (isInner(value)) {
      const { action, subject, payload } = value.envelope;
      return {
        items: [
          say("action." + action) + " · " + subject,
          ...Object.entries(payload).map(([name, part]) => label(action, name) + ": " + plain(name, part)),
        ],
      };
    }
    if (Array.isArray(value)) {
      return { items: value.map((item) => (isObject(item) ? itemLine(item) : plain(key, item))) };
    }
    if (isObject(value)) return { items: fieldsOf(value) };
    return { value: plain(key, value) };
  }

  // A form may carry a <dl data-explains> (what a hash stands for, e.g. the decision a panel
  // signs): its terms are repeated in the dialog, between who signs and what the payload says.
  function explained(form) {
    const list = form && form.querySelector("dl[data-explains]");
    if (!list) return [];
    return Array.from(list.querySelectorAll("dt"), (term) => ({
      label: term.textContent.trim(),
      value: term.nextElementSibling ? term.nextElementSibling.textContent.trim() : "",
    }));
  }

  // A value the form offers in words (a held-back item by its description): the element offering
  // it carries data-words, and the dialog shows those words rather than the bare value.
  function named(form, value) {
    const offered = form && Array.from(form.querySelectorAll("[data-words]")).find((box) => box.value === value);
    return offered ? offered.dataset.words : value;
  }

  function describe(envelope, form = null) {
    const lines = [
      { label: say("field.action"), value: say("action." + envelope.action) },
      { label: say((form && form.dataset.subjectLabel) || pageData().subjectLabel || "field.subject"), value: envelope.subject },
      { label: say("field.signer"), value: pageData().partyName + " (" + envelope.signer + ")" },
      ...explained(form),
    ];
    for (const [key, value] of Object.entries(envelope.payload)) {
      const shown = Array.isArray(value) ? value.map((part) => named(form, part)) : named(form, value);
      lines.push({ label: label(envelope.action, key), ...describeValue(key, shown) });
    }
    return lines;
  }

  // ------------------------------------------------------------ the dialog
  function pageData() {
    const data = document.getElementById("page-data").dataset;
    const { partyId, partyName, subject, subjectLabel, version } = data;
    return { partyId, partyName, subject, subjectLabel, version };
  }

  function showLines(list, lines) {
    list.replaceChildren();
    for (const line of lines) {
      const term = document.createElement("dt");
      term.textContent = line.label;
      const definition = document.createElement("dd");
      if (line.items) {
        const items = document.createElement("ul");
        for (const entry of line.items) {
          const item = document.createElement("li");
          item.textContent = entry;
          items.append(item);
        }
        definition.append(items);
      } else {
        definition.textContent = line.value;
      }
      list.append(term, definition);
    }
  }

  // A step whose answer never arrived (the connection dropped) may still have landed: submitting
  // the same form with the same content again re-sends that very envelope, nonce included, rather
  // than signing a second step. POST /cases answers a repeated claim with the case it first made;
  // an escrow step that did land is refused as nonce_reused, never done twice.
  const unanswered = new WeakMap();
  // Compared without nonce and timestamp, the inner steps' too: a builder draws a new inner step
  // on every submit, and the kept one (its nonce included) is what must go again.
  const unstamped = (envelope) => ({ ...envelope, nonce: "", timestamp: "" });
  const sameStep = (envelope) =>
    Signing.canonicalJson({
      ...unstamped(envelope),
      payload: Object.fromEntries(
        Object.entries(envelope.payload).map(([key, value]) => [
          key,
          isInner(value) ? { ...value, envelope: unstamped(value.envelope) } : value,
        ]),
      ),
    });

  function envelopeFor(form, partyId, step) {
    const fresh = Signing.envelope(partyId, step);
    const kept = unanswered.get(form);
    return kept && sameStep(kept) === sameStep(fresh) ? kept : fresh;
  }

  // A create form carries data-idempotency-key, drawn by the server when it rendered the page. The
  // first key drawn for this history entry is kept in history.state: pages are no-store, so going
  // Back (or reloading) fetches the form afresh with a new key, and it is the kept one that goes,
  // so submitting again is answered with the record the form first made (POST /escrows, /cases,
  // a warranty claim).
  const formName = (form) => form.id || "form";

  function formKey(form) {
    const drawn = form.dataset.idempotencyKey;
    if (!drawn) return null;
    const state = history.state || {};
    const kept = state.formKeys || {};
    const name = formName(form);
    if (!kept[name]) history.replaceState({ ...state, formKeys: { ...kept, [name]: drawn } }, "");
    return kept[name] || drawn;
  }

  // Once the form's record is made and the page shows it in this same history entry (a reload),
  // the next one filled in there is another record: it goes with the key the page draws afresh.
  function forgetFormKey(form) {
    const state = history.state || {};
    const { [formName(form)]: _, ...kept } = state.formKeys || {};
    history.replaceState({ ...state, formKeys: kept }, "");
  }

  const keyHeaders = (form) => {
    const key = formKey(form);
    return key ? { "Idempotency-Key": key } : {};
  };

  function send(form, signed) {
    const headers = keyHeaders(form);
    if (form.dataset.auth !== "session") return Signing.post(form.dataset.url, signed, headers);
    return Signing.api("POST", form.dataset.url, signed, headers);
  }

  // A step may carry another party's step inside it, signed by the same reader: the council's
  // decision for the escrow travels inside its enforcement step for the case, a claimant's
  // withdrawal of the escrow's dispute inside the withdrawal of the case. The builder puts
  // `inner({action, subject, payload})` (signature null) in the payload; the dialog shows it in
  // plain words, and only once the reader confirms is it signed, then the step around it.
  const isInner = (value) => isObject(value) && value.signature === null && value.envelope;
  const inner = (step) => ({ envelope: Signing.envelope(pageData().partyId, step), signature: null });

  async function withInnerSigned(envelope) {
    const payload = {};
    for (const [key, value] of Object.entries(envelope.payload)) {
      payload[key] = isInner(value) ? await Signing.signEnvelope(value.envelope) : value;
    }
    return { ...envelope, payload };
  }

  function confirmAndSubmit(form, envelope) {
    const dialog = document.getElementById("confirm-step");
    showLines(dialog.querySelector(".what"), describe(envelope, form));
    dialog.querySelector(".exact").textContent = Signing.canonicalJson(envelope);
    return new Promise((resolve, reject) => {
      const onClose = async () => {
        dialog.removeEventListener("close", onClose);
        if (dialog.returnValue !== "sign") return resolve(null);
        try {
          const answer = await send(form, await Signing.signEnvelope(await withInnerSigned(envelope)));
          unanswered.delete(form);
          resolve(answer);
        } catch (exception) {
          if (exception instanceof Signing.StepError) {
            unanswered.delete(form);
            return reject(exception);
          }
          unanswered.set(form, envelope);
          reject(new Error(say("error.no_answer") + " (" + (exception.message || exception) + ")"));
        }
      };
      dialog.addEventListener("close", onClose);
      // Escape closes without setting a value: clear the last one so it cannot count as "sign".
      dialog.returnValue = "";
      dialog.showModal();
      dialog.querySelector("button[value=sign]").focus();
    });
  }

  // The refusal in the page's language (the API's sentence, or the page's own word for its code,
  // `errors.<code>`, where the page has one: a key this device lacks, a contact address the
  // channel cannot take), with the labels of the fields it concerns (the step's field words, else
  // the form's labels); the code only in data-code.
  function showError(exception, form) {
    const box = document.getElementById("step-error");
    const action = form && form.dataset.step;
    const labelOf = (name) => {
      const key = action && words()[`field.${action}.${name}`] ? `field.${action}.${name}` : "field." + name;
      return words()[key] ? say(key) : null;
    };
    const said = Signing.refusalText(exception, { form, labelOf, box });
    const own = exception && exception.code ? "errors." + exception.code : null;
    const text = own && words()[own] ? say(own) : said;
    box.textContent = say("error.step") + " " + text;
    box.hidden = false;
    box.focus();
  }

  // A form sent by its own script (a council desk's, the contact settings'): `send(form, headers)`
  // makes the call, `headers` carrying the form's Idempotency-Key if it is a create form; while it
  // runs the button is off, and a refusal is said in #step-error with its field.
  async function sending(button, form, send) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    document.getElementById("step-error").hidden = true;
    try {
      await send(form, form ? keyHeaders(form) : {});
    } catch (exception) {
      showError(exception, form);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  function handleSubmit(form, send) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sending(form.querySelector("button[type=submit]"), form, send);
    });
  }

  // A button that acts on its own (resend a code, remove a channel), sent as a form is.
  const handleClick = (button, send) => button.addEventListener("click", () => sending(button, button.closest("form"), send));

  // A send whose page shows the change once `call` is answered: it reloads.
  const thenReload = (call) => async (form, headers) => {
    await call(form, headers);
    window.location.reload();
  };

  async function onSubmit(event) {
    const form = event.target.closest("form[data-step]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = pageData();
      const payload = await builders[form.dataset.step](form);
      const subject = form.elements.subject ? form.elements.subject.value.trim() : data.subject;
      const envelope = envelopeFor(form, data.partyId, { action: form.dataset.step, subject, payload });
      const answer = await confirmAndSubmit(form, envelope);
      if (answer) follow(form, answer);
    } catch (exception) {
      showError(exception, form);
    } finally {
      button.disabled = false;
    }
  }

  function follow(form, answer) {
    const then = form.dataset.then;
    if (!then) {
      forgetFormKey(form);
      return window.location.reload();
    }
    window.location.assign(then.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(answer[name])));
  }

  // Rows of defects, holdbacks or claimed items: "add a row" copies the form's <template>,
  // a row's own "remove" takes it away. Copies are numbered on from the rows ever added, so
  // an id stays unique after a removal.
  function onClick(event) {
    const remover = event.target.closest("button[data-remove-row]");
    if (remover) return remover.closest(".row").remove();
    const adder = event.target.closest("button[data-add-row]");
    if (!adder) return;
    const form = adder.closest("form");
    const template = form.querySelector("template");
    const row = template.content.firstElementChild.cloneNode(true);
    const index = Number(template.dataset.added || 1) + 1;
    template.dataset.added = index;
    for (const element of row.querySelectorAll("[id]")) {
      const label = row.querySelector(`label[for="${element.id}"]`);
      element.id = element.id + "-" + index;
      if (label) label.htmlFor = element.id;
    }
    template.before(row);
    row.querySelector("input, textarea").focus();
  }

  // Refresh when the escrow changed elsewhere (a deposit, a bank receipt, another party's
  // step), unless the reader has started using the page: then only say so.
  function watchVersion() {
    let touched = false;
    for (const kind of ["input", "pointerdown", "keydown"]) {
      document.addEventListener(kind, () => {
        touched = true;
      });
    }
    const url = window.location.pathname + "/version";
    setInterval(async () => {
      try {
        const response = await Signing.fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const { version } = await response.json();
        if (String(version) === pageData().version) return;
        if (!touched && !document.getElementById("confirm-step").open) window.location.reload();
        else document.getElementById("changed").hidden = false;
      } catch (_) {
        // Offline for a moment: try again at the next tick.
      }
    }, 3000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-idempotency-key]")) formKey(form);
    document.addEventListener("submit", onSubmit);
    document.addEventListener("click", onClick);
    const page = document.getElementById("page-data");
    if (page && page.dataset.version !== undefined) watchVersion();
  });

  // Declared ties typed one a line as org_id|kind|start|end (end optional), as the expert CSV
  // writes a tie: the accreditation and expert registry forms send them as the API's affiliations.
  function ties(text) {
    return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [org_id, kind, start, end] = line.split("|").map((part) => part.trim());
      if (!org_id || !kind || !start) throw new Error(say("accreditation.affiliation_format") + " " + line);
      return end ? { org_id, kind, start, end } : { org_id, kind, start };
    });
  }

  window.Steps = { builders, describe, confirmAndSubmit, say, yuanText, parseYuan, uploadFiles, inner, showError, handleSubmit, handleClick, thenReload, ties, formKey, forgetFormKey };
})();
