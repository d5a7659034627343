// Signing in the browser: each party's Ed25519 key is made by WebCrypto, kept
// non-extractable in IndexedDB on this device, and only its public key is registered.
// The server never sees a private key.
//
// API (window.Signing), every function returns a Promise unless noted:
//   canonicalJson(value) -> string            byte-identical to domain.canonical.canonical_json (sync)
//   sha256Hex(text | bytes) -> hex string      contentHash(value) -> sha256 hex of canonicalJson(value)
//   fileHash(file) -> "sha256:<hex>"            a file's hash, computed here (steps.js uploads it under it)
//   register({role, displayName, enrolmentSecret?, creditCode?, legalName?}) -> identity (key made, public key registered, kept)
//   newKey() -> {keyPair, publicKey}          a fresh non-extractable key, not kept yet (a device being paired)
//   signWith(keyPair, envelope) -> {envelope, signature}   signed by a key not kept yet (its `key.pair`)
//   keep({partyId, role, displayName, publicKey, createdAt, keyPair}) -> identity   kept on this device
//   keyId(publicKey) / fingerprint(publicKey) -> domain.keys.key_id / fingerprint, computed here
//   identities() -> [identity]                 identity(partyId) -> identity | null      forget(partyId)
//   signIn(partyId) / signOut()                 opens the page session (HttpOnly cookie) by signing a
//                                               `session.open` envelope with the key / revokes it
//   envelope(partyId, {action, subject, payload}) -> the envelope to show (sync: fresh nonce, the
//                                               server's time now: serverNow())
//   serverNow() -> ms since the epoch by the server's clock, as learned (sync)
//   fetch(url, init?) -> window.fetch that learns the server's time from the answer's X-Server-Time
//                                               and sends the page's language as Accept-Language
//   refusalText(stepError, {form?, labelOf?, box?}) -> the refusal in words with the labels of the
//                                               fields it concerns (sync; marks them aria-invalid)
//   language() -> the page's language (sync)
//   signEnvelope(envelope) -> {envelope, signature}      sign(partyId, step) = signEnvelope(envelope(...))
//   post(url, signed, headers?) / submit(partyId, url, step) -> the API's JSON answer, or throws StepError
//   api(method, url, body?, headers?) -> JSON from the JSON API as the signed-in party (its cookie)
//   SESSION_HEADERS                            what a cookie-authenticated change sends besides (an upload)
//   objectStore(dbName, storeName, keyPath) -> withStore(mode, work) over one IndexedDB store (sync)
// An identity is {partyId, role, displayName, publicKey, createdAt}; its key stays inside. No token
// is kept here, where any script of the page could read it: the session lives in an HttpOnly cookie
// (web/session.py), and the API token registration answers is for programs, so it is dropped.
(() => {
  "use strict";

  const DB_NAME = "escrow-signing";
  const STORE = "identities";
  // Sent with every cookie-authenticated change (api.deps.SESSION_HEADER): another origin
  // cannot send it without a CORS preflight, which the API never grants.
  const SESSION_HEADERS = { "X-Requested-With": "fetch" };

  // A refusal: `message` is the API's sentence in the page's language (api/error_catalogue.py),
  // `fields` the payload or form fields it concerns (its `field`, or each of `invalid_input`'s
  // `errors`), `code` only for scripts and tests, never shown.
  class StepError extends Error {
    constructor(status, code, message, fields = []) {
      super(message);
      this.status = status;
      this.code = code;
      this.fields = fields;
    }
  }

  // The fields a refusal names: its own `field`, else the last name in each error's `loc`.
  function fieldsOf(detail) {
    if (detail.field) return [String(detail.field)];
    const named = (detail.errors || []).map((error) => (error.loc || []).filter((part) => typeof part === "string").pop());
    return [...new Set(named.filter((name) => name && name !== "body"))];
  }

  // A field's name as the reader sees it: the `labelOf` the page gives, else the label of the
  // control of that name in `form` (or the page): a choice's group by its legend. Null when the
  // page shows no such field: then the message alone is said, never a field's API name.
  function fieldLabel(name, form, labelOf) {
    const given = labelOf && labelOf(name);
    if (given) return given;
    const control = fieldControl(name, form);
    if (!control) return null;
    const legend = /checkbox|radio/.test(control.type) && control.closest("fieldset")?.querySelector("legend");
    const label = legend || (control.labels && control.labels[0]);
    const text = ((label && label.textContent) || control.getAttribute("aria-label") || "").trim();
    return text.replace(/[\s*:：]+$/, "") || null;
  }

  // The control a field name (`affiliations[0].end` is `affiliations`) stands for, if the page has it.
  const fieldControl = (name, form) =>
    (form || document).querySelector(`[name="${CSS.escape(String(name).split(/[.[]/)[0])}"]`);

  // A refusal in words for the page: the message, then the fields it concerns by their labels.
  // `box`, when given, gets the code as data-code (for tests) and each field's control is marked.
  function refusalText(exception, { form, labelOf, box } = {}) {
    const message = (exception && exception.message) || String(exception);
    const fields = (exception && exception.fields) || [];
    if (box) box.dataset.code = (exception && exception.code) || "";
    for (const name of fields) {
      const control = fieldControl(name, form);
      if (control) control.setAttribute("aria-invalid", "true");
    }
    const labels = [...new Set(fields.map((name) => fieldLabel(name, form, labelOf)).filter(Boolean))];
    if (!labels.length) return message;
    const chinese = language().startsWith("zh");
    return labels.join(chinese ? "、" : ", ") + (chinese ? "：" : ": ") + message;
  }

  // ------------------------------------------------------------ canonical JSON
  // Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False):
  // keys sorted by code point (not by UTF-16 unit, as Array.sort would), strings
  // escaped exactly as JSON.stringify does, integers only.
  function compareCodePoints(a, b) {
    const left = Array.from(a);
    const right = Array.from(b);
    const length = Math.min(left.length, right.length);
    for (let i = 0; i < length; i += 1) {
      const difference = left[i].codePointAt(0) - right[i].codePointAt(0);
      if (difference !== 0) return difference;
    }
    return left.length - right.length;
  }

  function canonicalString(text) {
    // A lone surrogate has no UTF-8 form: Python refuses to encode it, so refuse it here too.
    if (!text.isWellFormed()) throw new TypeError("text is not well-formed Unicode");
    return JSON.stringify(text);
  }

  function canonicalJson(value) {
    if (value === null || value === true || value === false) return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        throw new TypeError("only whole numbers are signed: amounts are integers in fen");
      }
      return String(value);
    }
    if (typeof value === "string") {
      return canonicalString(value);
    }
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    if (typeof value === "object") {
      const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort(compareCodePoints);
      return "{" + keys.map((key) => canonicalString(key) + ":" + canonicalJson(value[key])).join(",") + "}";
    }
    throw new TypeError("cannot sign a value of type " + typeof value);
  }

  const utf8 = (text) => new TextEncoder().encode(text);

  function toBase64(bytes) {
    let binary = "";
    for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
    return btoa(binary);
  }

  function toHex(bytes) {
    return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  async function sha256Hex(data) {
    const bytes = typeof data === "string" ? utf8(data) : data;
    return toHex(await crypto.subtle.digest("SHA-256", bytes));
  }

  const contentHash = (value) => sha256Hex(canonicalJson(value));

  async function fileHash(file) {
    return "sha256:" + (await sha256Hex(await file.arrayBuffer()));
  }

  function nonce() {
    return toHex(crypto.getRandomValues(new Uint8Array(16)));
  }

  // ------------------------------------------------------------ key store
  // One IndexedDB object store: `objectStore(db, store, keyPath)` -> withStore(mode, work), where
  // work(store) returns the request whose result the Promise resolves to once the transaction ends.
  function objectStore(dbName, storeName, keyPath) {
    const open = () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open(dbName, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    return async (mode, work) => {
      const db = await open();
      try {
        return await new Promise((resolve, reject) => {
          const transaction = db.transaction(storeName, mode);
          const request = work(transaction.objectStore(storeName));
          transaction.oncomplete = () => resolve(request.result);
          transaction.onerror = () => reject(transaction.error);
          transaction.onabort = () => reject(transaction.error);
        });
      } finally {
        db.close();
      }
    };
  }

  const withStore = objectStore(DB_NAME, STORE, "partyId");

  // Before sign-in by signature, a record kept the registration's API token: it loses it
  // the first time it is read.
  async function withoutToken(stored) {
    if (stored && "token" in stored) {
      delete stored.token;
      await withStore("readwrite", (store) => store.put(stored));
    }
    return stored;
  }

  const record = async (partyId) => withoutToken(await withStore("readonly", (store) => store.get(partyId)));

  function publicView(stored) {
    if (!stored) return null;
    const { partyId, role, displayName, publicKey, createdAt } = stored;
    return { partyId, role, displayName, publicKey, createdAt };
  }

  async function identities() {
    const all = await Promise.all((await withStore("readonly", (store) => store.getAll())).map(withoutToken));
    return all.map(publicView).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  const identity = async (partyId) => publicView(await record(partyId));

  const forget = (partyId) => withStore("readwrite", (store) => store.delete(partyId));

  // ------------------------------------------------------------ the server's clock
  // Envelopes are stamped with the server's time, not this device's: a phone whose clock is 20
  // minutes off would have every signature refused (`stale_timestamp`). The offset (server minus
  // device, in ms) is learned from the page itself (the server renders its time into
  // #server-clock, so the very first signature has it) and then from every answer's X-Server-Time
  // (api/server_clock.py). The latest answer wins, so a clock set right while the page is open is
  // followed. The server's time falls between the request leaving and its answer arriving, so it
  // is matched with the middle of the two: wrong by at most half the round trip, a second or two
  // on a slow phone against a window of 15 minutes.
  const SERVER_TIME_HEADER = "X-Server-Time";
  let offset = 0;
  let learned = false;

  function learn(serverMs, sentAt, receivedAt) {
    if (!Number.isFinite(serverMs) || serverMs <= 0) return;
    offset = serverMs - (sentAt + receivedAt) / 2;
    learned = true;
  }

  const pageClock = () => {
    const element = document.getElementById("server-clock");
    return element ? JSON.parse(element.textContent) : null;
  };

  // The page's own request, timed by the browser (Navigation Timing): device time at its start
  // and at its answer's first byte. Without those times, now (later than the answer: the offset
  // is then short by the time the page took to load).
  function learnFromPage() {
    const page = pageClock();
    if (!page) return;
    const [navigation] = performance.getEntriesByType("navigation");
    const origin = Date.now() - performance.now();
    if (navigation && navigation.responseStart > 0) {
      learn(page.now, origin + navigation.requestStart, origin + navigation.responseStart);
    } else {
      learn(page.now, Date.now(), Date.now());
    }
  }

  // Every call says the page's language, so a refusal comes back in the reader's words.
  const language = () => document.documentElement.lang || "zh-CN";

  async function timedFetch(url, init = {}) {
    const sentAt = Date.now();
    const headers = new Headers(init.headers || {});
    if (!headers.has("Accept-Language")) headers.set("Accept-Language", language());
    const response = await fetch(url, { ...init, headers });
    const told = response.headers.get(SERVER_TIME_HEADER);
    if (told) learn(Number(told), sentAt, Date.now());
    return response;
  }

  const serverNow = () => Date.now() + offset;

  // A step refused for its time, in the reader's words: how far off this device's clock is (by
  // the offset learned, the refusal's own answer included; by the refusal's clock_offset_seconds
  // if nothing was learned), or, if the clock is right, that the signature was made too long ago.
  function clockAdvice(detail) {
    const words = (pageClock() || {}).words;
    if (!words) return null;
    const deviceAhead = learned ? -offset / 1000 : Number(detail.clock_offset_seconds);
    if (!Number.isFinite(deviceAhead)) return null;
    const minutes = Math.round(Math.abs(deviceAhead) / 60);
    if (minutes < 1) return words.resync;
    const said = (deviceAhead < 0 ? "behind" : "ahead") + (minutes === 1 ? "_one" : "");  // "1 minute"
    return words[said].replace("{minutes}", String(minutes));
  }

  async function answer(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (response.ok) return body;
    const detail = body && body.detail;
    if (detail && typeof detail === "object" && detail.code) {
      const advice = detail.code === "stale_timestamp" ? clockAdvice(detail) : null;
      throw new StepError(response.status, detail.code, advice || detail.message || "", fieldsOf(detail));
    }
    throw new StepError(response.status, "http_error", typeof detail === "string" ? detail : response.statusText);
  }

  async function newKey() {
    const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    return { keyPair, publicKey: toBase64(await crypto.subtle.exportKey("raw", keyPair.publicKey)) };
  }

  async function keep(stored) {
    await withStore("readwrite", (store) => store.put(stored));
    return publicView(stored);
  }

  // A key's id and the digits two devices compare while pairing: the SHA-256 of its base64 text,
  // as domain/keys.py computes them, here from the key itself (never from what the server says).
  const keyId = async (publicKey) => "key-" + (await sha256Hex(publicKey)).slice(0, 16);

  async function fingerprint(publicKey) {
    const digits = (await sha256Hex(publicKey)).slice(0, 12);
    return [0, 4, 8].map((start) => digits.slice(start, start + 4)).join(" ");
  }

  // `made` (newKey's) lets a form register again with the key pair it already sent: under its
  // form key (`headers`) the server then answers with the party it first registered, not a second.
  async function register({ role, displayName, enrolmentSecret, creditCode, legalName, made, headers: extra }) {
    const { keyPair, publicKey } = made || (await newKey());
    const headers = { "Content-Type": "application/json", ...extra };
    if (enrolmentSecret) headers["X-Enrolment-Secret"] = enrolmentSecret;
    const registered = await answer(
      await timedFetch("/parties", {
        method: "POST",
        headers,
        body: JSON.stringify({
          role,
          display_name: displayName,
          public_key: publicKey,
          ...(creditCode === undefined ? {} : { credit_code: creditCode, legal_name: legalName }),
        }),
      }),
    );
    return keep({
      partyId: registered.party.id,
      role: registered.party.role,
      displayName: registered.party.display_name,
      publicKey,
      createdAt: registered.party.created_at,
      keyPair,
    });
  }

  async function required(partyId) {
    const stored = await record(partyId);
    if (!stored) throw new StepError(0, "no_key_here", "this device holds no key for " + partyId);
    return stored;
  }

  // Signing in proves this device holds the party's key: a fresh `session.open` envelope for
  // itself, which the server checks against the registered public key and answers with the cookie.
  async function signIn(partyId) {
    const stored = await required(partyId);
    await submit(partyId, "/session", { action: "session.open", subject: partyId, payload: {} });
    return publicView(stored);
  }

  async function signOut() {
    await timedFetch("/session", { method: "DELETE", headers: SESSION_HEADERS, credentials: "same-origin" });
  }

  // ------------------------------------------------------------ signing
  function timestamp() {
    return new Date(serverNow()).toISOString();
  }

  // The envelope is made first so the page can show it, then signed exactly as shown.
  function envelope(partyId, { action, subject, payload }) {
    return { action, subject, signer: partyId, nonce: nonce(), timestamp: timestamp(), payload };
  }

  async function signWith(keyPair, envelopeToSign) {
    const message = utf8(canonicalJson(envelopeToSign));
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, keyPair.privateKey, message);
    return { envelope: envelopeToSign, signature: toBase64(signature) };
  }

  const signEnvelope = async (envelopeToSign) =>
    signWith((await required(envelopeToSign.signer)).keyPair, envelopeToSign);

  const sign = (partyId, step) => signEnvelope(envelope(partyId, step));

  async function post(url, signed, extraHeaders = {}) {
    const body = JSON.stringify(signed);
    const headers = { ...extraHeaders, "Content-Type": "application/json" };
    return answer(await timedFetch(url, { method: "POST", headers, body }));
  }

  const submit = async (partyId, url, step) => post(url, await sign(partyId, step));

  async function api(method, url, body, extraHeaders = {}) {
    const headers = { ...extraHeaders, ...SESSION_HEADERS };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const request = { method, headers, credentials: "same-origin" };
    if (body !== undefined) request.body = JSON.stringify(body);
    return answer(await timedFetch(url, request));
  }

  learnFromPage();

  window.Signing = {
    StepError,
    serverNow,
    fetch: timedFetch,
    language,
    fieldsOf,
    refusalText,
    SESSION_HEADERS,
    canonicalJson,
    sha256Hex,
    contentHash,
    fileHash,
    register,
    newKey,
    signWith,
    keep,
    keyId,
    fingerprint,
    identities,
    identity,
    forget,
    signIn,
    signOut,
    envelope,
    signEnvelope,
    sign,
    post,
    submit,
    api,
    objectStore,
  };
})();
