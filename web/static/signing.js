// Signing in the browser: each party's Ed25519 key is made by WebCrypto, kept
// non-extractable in IndexedDB on this device, and only its public key is registered.
// The server never sees a private key.
//
// API (window.Signing), every function returns a Promise unless noted:
//   canonicalJson(value) -> string            byte-identical to domain.canonical.canonical_json (sync)
//   sha256Hex(text | bytes) -> hex string      contentHash(value) -> sha256 hex of canonicalJson(value)
//   fileHash(file) -> "sha256:<hex>"            a file's hash, computed here (steps.js uploads it under it)
//   register({role, displayName, enrolmentSecret?, creditCode?, legalName?}) -> identity (key made, public key registered, kept)
//   identities() -> [identity]                 identity(partyId) -> identity | null      forget(partyId)
//   signIn(partyId) / signOut()                 opens the page session (HttpOnly cookie) by signing a
//                                               `session.open` envelope with the key / revokes it
//   envelope(partyId, {action, subject, payload}) -> the envelope to show (sync: fresh nonce, time now)
//   signEnvelope(envelope) -> {envelope, signature}      sign(partyId, step) = signEnvelope(envelope(...))
//   post(url, signed) / submit(partyId, url, step) -> the API's JSON answer, or throws StepError
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

  class StepError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
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
      throw new StepError(response.status, detail.code, detail.message || "");
    }
    throw new StepError(response.status, "http_error", typeof detail === "string" ? detail : response.statusText);
  }

  async function register({ role, displayName, enrolmentSecret, creditCode, legalName }) {
    const keyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const publicKey = toBase64(await crypto.subtle.exportKey("raw", keyPair.publicKey));
    const headers = { "Content-Type": "application/json" };
    if (enrolmentSecret) headers["X-Enrolment-Secret"] = enrolmentSecret;
    const registered = await answer(
      await fetch("/parties", {
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
    const stored = {
      partyId: registered.party.id,
      role: registered.party.role,
      displayName: registered.party.display_name,
      publicKey,
      createdAt: registered.party.created_at,
      keyPair,
    };
    await withStore("readwrite", (store) => store.put(stored));
    return publicView(stored);
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
    await fetch("/session", { method: "DELETE", headers: SESSION_HEADERS, credentials: "same-origin" });
  }

  // ------------------------------------------------------------ signing
  function timestamp() {
    return new Date().toISOString();
  }

  // The envelope is made first so the page can show it, then signed exactly as shown.
  function envelope(partyId, { action, subject, payload }) {
    return { action, subject, signer: partyId, nonce: nonce(), timestamp: timestamp(), payload };
  }

  async function signEnvelope(envelopeToSign) {
    const stored = await required(envelopeToSign.signer);
    const message = utf8(canonicalJson(envelopeToSign));
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, stored.keyPair.privateKey, message);
    return { envelope: envelopeToSign, signature: toBase64(signature) };
  }

  const sign = (partyId, step) => signEnvelope(envelope(partyId, step));

  async function post(url, signed) {
    const body = JSON.stringify(signed);
    return answer(await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body }));
  }

  const submit = async (partyId, url, step) => post(url, await sign(partyId, step));

  async function api(method, url, body, extraHeaders = {}) {
    const headers = { ...extraHeaders, ...SESSION_HEADERS };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const request = { method, headers, credentials: "same-origin" };
    if (body !== undefined) request.body = JSON.stringify(body);
    return answer(await fetch(url, request));
  }

  window.Signing = {
    StepError,
    SESSION_HEADERS,
    canonicalJson,
    sha256Hex,
    contentHash,
    fileHash,
    register,
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
