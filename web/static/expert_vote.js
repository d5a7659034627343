// An expert's vote by commit and reveal, signed in the browser (signing.js).
//
// Commit: the opinion (a finding per item, the proposed payment in fen, reasons) and a fresh
// 32-byte random salt are hashed exactly as expert_panels/votes.py `commitment` does:
// sha256 hex of the canonical JSON {"opinion": ..., "salt": ...}. Only that hash is signed and
// sent; the opinion and salt are kept in this browser's IndexedDB ("expert-votes") BEFORE the
// commitment is posted, so a lost answer never strands a commitment nobody can reveal.
// Reveal: once every member has committed, the kept opinion and salt are signed and sent.
// Before either signature the page shows, in plain words, exactly what is signed.
(() => {
  "use strict";

  const DB_NAME = "expert-votes";
  const STORE = "votes";

  const say = (key, values = {}) => Steps.say(key, values);  // steps.js loads first on the case page

  // ------------------------------------------------------------ the kept votes
  const withStore = Signing.objectStore(DB_NAME, STORE, "key");
  const voteKey = (caseId, partyId) => caseId + "/" + partyId;
  const keep = (vote) => withStore("readwrite", (store) => store.put(vote));
  const kept = (caseId, partyId) => withStore("readonly", (store) => store.get(voteKey(caseId, partyId)));

  function newSalt() {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  const commitment = (opinion, salt) => Signing.contentHash({ opinion, salt });

  // ------------------------------------------------------------ the opinion
  // An item named by the claimant's words (the section's data-item-words), not by its id.
  const itemWords = (item) => JSON.parse(document.getElementById("vote").dataset.itemWords || "{}")[item] || item;

  function opinionFrom(form, section) {
    const findings = {};
    for (const fieldset of form.querySelectorAll("fieldset")) {
      const chosen = fieldset.querySelector("input[type=radio]:checked");
      const item = fieldset.querySelector("input[type=radio]").dataset.item;
      if (!chosen) throw new Error(say("vote.error_finding", { item: itemWords(item) }));
      findings[item] = chosen.value;
    }
    let payFen = null;
    if (section.dataset.proposesAmount === "yes") {
      payFen = Steps.parseYuan(form.elements.pay_yuan.value);
      const disputed = Number(section.dataset.disputedFen);
      if (payFen > disputed) throw new Error(say("vote.error_pay", { disputed: Steps.yuanText(disputed) }));
    }
    return { findings, pay_fen: payFen, reasons: form.elements.reasons.value.trim() };
  }

  function opinionLines(opinion, disputedFen) {
    const lines = Object.entries(opinion.findings).map(([item, finding]) => ({
      label: say("vote.item", { item: itemWords(item) }),
      value: say("vote." + finding),
    }));
    if (opinion.pay_fen !== null) {
      lines.push({ label: say("vote.word_pay"), value: Steps.yuanText(opinion.pay_fen) });
      lines.push({ label: say("vote.word_refund"), value: Steps.yuanText(disputedFen - opinion.pay_fen) });
    }
    lines.push({ label: say("vote.reasons"), value: opinion.reasons || "—" });
    return lines;
  }

  // ------------------------------------------------------------ confirm, sign, post
  function show(section, lines, envelope) {
    const box = document.getElementById("vote-confirm");
    const list = document.createElement("dl");
    list.className = "facts";
    for (const line of lines) {
      const term = document.createElement("dt");
      term.textContent = line.label;
      const definition = document.createElement("dd");
      definition.textContent = line.value;
      list.append(term, definition);
    }
    const exact = document.createElement("pre");
    exact.className = "exact";
    exact.textContent = Signing.canonicalJson(envelope);
    const exactLabel = document.createElement("p");
    exactLabel.textContent = say("sign.exact");
    document.getElementById("vote-words").replaceChildren(list, exactLabel, exact);
    box.hidden = false;
    // The sign button takes the focus: a keyboard user reads the words above it, then presses Enter.
    document.getElementById("vote-sign").focus();
    return new Promise((resolve) => {
      const sign = document.getElementById("vote-sign");
      const cancel = document.getElementById("vote-cancel");
      const done = (choice) => {
        sign.onclick = cancel.onclick = null;
        box.hidden = true;
        resolve(choice);
      };
      sign.onclick = () => done(true);
      cancel.onclick = () => done(false);
    });
  }

  function status(text) {
    const line = document.getElementById("vote-status");
    line.textContent = text;
  }

  function envelopeLines(section, envelope) {
    return [
      { label: say("sign.action"), value: say("vote.action_" + envelope.action.replace("vote.", "")) },
      { label: say("sign.case"), value: envelope.subject },
      {
        label: say("sign.signer"),
        value: say("sign.signer_as", {
          name: section.dataset.partyName,
          party: envelope.signer,
          expert: section.dataset.expertId,
        }),
      },
    ];
  }

  async function commit(section, form) {
    const opinion = opinionFrom(form, section);
    const salt = newSalt();
    const hashed = await commitment(opinion, salt);
    const { caseId, partyId } = section.dataset;
    const envelope = Signing.envelope(partyId, { action: "vote.commit", subject: caseId, payload: { commitment: hashed } });
    const lines = [
      ...envelopeLines(section, envelope),
      ...opinionLines(opinion, Number(section.dataset.disputedFen)),
      { label: say("vote.word_commitment"), value: hashed },
      { label: say("vote.word_secret"), value: say("vote.secret_kept") },
    ];
    if (!(await show(section, lines, envelope))) return;
    await keep({ key: voteKey(caseId, partyId), caseId, partyId, opinion, salt, commitment: hashed });
    await Signing.post(`/cases/${caseId}/vote-commitments`, await Signing.signEnvelope(envelope));
    status(say("vote.committed_now"));
    window.location.reload();
  }

  async function reveal(section) {
    const { caseId, partyId } = section.dataset;
    const vote = await kept(caseId, partyId);
    if (!vote) throw new Error(say("vote.error_not_kept"));
    if (vote.commitment !== section.dataset.commitment || (await commitment(vote.opinion, vote.salt)) !== vote.commitment) {
      throw new Error(say("vote.error_mismatch"));
    }
    const payload = { opinion: vote.opinion, salt: vote.salt };
    const envelope = Signing.envelope(partyId, { action: "vote.reveal", subject: caseId, payload });
    const lines = [
      ...envelopeLines(section, envelope),
      ...opinionLines(vote.opinion, Number(section.dataset.disputedFen)),
      { label: say("vote.word_salt"), value: vote.salt },
      { label: say("vote.word_commitment"), value: vote.commitment },
    ];
    if (!(await show(section, lines, envelope))) return;
    await Signing.post(`/cases/${caseId}/vote-reveals`, await Signing.signEnvelope(envelope));
    status(say("vote.revealed_now"));
    window.location.reload();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.getElementById("vote");
    if (!section) return;
    // Sent as every form is (Steps.handleSubmit): a refusal said in #step-error, with its field.
    const form = document.getElementById("vote-form");
    if (form) Steps.handleSubmit(form, () => commit(section, form));
    const revealButton = document.getElementById("reveal-review");
    if (revealButton) Steps.handleClick(revealButton, () => reveal(section));
  });

  window.ExpertVote = { commitment, newSalt };
})();
