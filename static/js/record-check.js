// "Check this record" on a published arrangement (issue 20, part 6): fetch the version's record.json and check it
// here, with WebCrypto only, trusting nothing the portal says about itself:
//  1-2. both checkpoints (made at publication, and today's) carry the portal's Ed25519 signature (C2SP signed note);
//  3.   today's log extends the log at publication (RFC 9162 consistency proof): history was not rewritten;
//  4.   the publication entry is in the checkpoint made at publication (RFC 9162 inclusion proof);
//  5.   that entry is `arrangement.published` for this version (the content hash shown on this page);
//  6+.  each partner's passkey assertion signs SHA-256(canonical {checkpoint, decision, partner, version}).
// The same checks are in verify_log.py --record (offline). Loaded only on the published arrangement page.

const encoder = new TextEncoder();

class CheckError extends Error {}

function fail(message) {
  throw new CheckError(message);
}

// --- bytes ---------------------------------------------------------------------------------------------------
function fromBase64(text, what) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    fail(`${what} is not base64`);
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function fromBase64url(text, what) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    fail(`${what} is not unpadded base64url`);
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (text.length % 4)) % 4);
  return fromBase64(padded, what);
}

function toBase64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// --- canonical JSON, byte for byte as Python's json.dumps(sort_keys=True, separators=(",", ":"),
// ensure_ascii=False): JSON.stringify escapes strings exactly as Python does then (", \, \b \f \n \r \t, other
// controls as \u00xx); keys sort by code point, as Python sorts str (not by UTF-16 unit, as Array.sort would).
function byCodePoint(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

export function canonical(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) fail("the JSON holds a number that is not a whole number");
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value).sort(byCodePoint);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
}

// --- signed notes (C2SP): the portal's Ed25519 signature on a checkpoint ----------------------------------------
function parseVerifierKey(key) {
  const [name, idHex, encoded] = [key.split("+")[0], key.split("+")[1], key.split("+").slice(2).join("+")];
  const raw = fromBase64(encoded || "", "the verifier key");
  if (!/^[0-9a-f]{8}$/.test(idHex || "") || raw.length !== 33 || raw[0] !== 1) fail("the verifier key is not Ed25519");
  return { name, idHex, raw };
}

function parseNote(note, what) {
  const blank = typeof note === "string" ? note.indexOf("\n\n") : -1;
  if (blank < 0) fail(`${what} is not a signed note`);
  const text = note.slice(0, blank + 1);
  const lines = text.split("\n");
  if (lines.length < 4 || !lines[0] || !/^\d+$/.test(lines[1])) fail(`${what} is not origin, size and root`);
  const root = fromBase64(lines[2], `${what}'s root`);
  if (root.length !== 32) fail(`${what}'s root is not a SHA-256 hash`);
  const signatures = note.slice(blank + 2).split("\n").filter(Boolean).map((line) => {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match) fail(`${what} has a signature line that is not "\u2014 name signature"`);
    const blob = fromBase64(match[2], `${what}'s signature`);
    return { name: match[1], id: blob.slice(0, 4), signature: blob.slice(4) };
  });
  return { text, origin: lines[0], size: Number(lines[1]), root, signatures };
}

async function verifyNote(note, keys, what) {
  const parsed = parseNote(note, what);
  for (const key of keys) {
    const { name, idHex, raw } = parseVerifierKey(key);
    // key id = SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4]: recomputed, not taken on trust
    const id = (await sha256(concat(encoder.encode(`${name}\n`), raw))).slice(0, 4);
    if (toHex(id) !== idHex) fail("a verifier key's id does not match its name and key");
    for (const line of parsed.signatures) {
      if (line.name !== name || !equal(line.id, id)) continue;
      const publicKey = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
      const valid = line.signature.length === 64
        && await crypto.subtle.verify({ name: "Ed25519" }, publicKey, line.signature, encoder.encode(parsed.text));
      if (!valid) fail(`${what} does not carry a valid signature by the portal's key: it was altered or forged`);
      return parsed;
    }
  }
  return fail(`${what} is signed by none of the portal's keys`);
}

// --- RFC 9162 Merkle tree proofs (section 2.1.3.2 and 2.1.4.2), as verify_log.py ---------------------------------
const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

async function verifyInclusion(leaf, index, size, proof, root) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

async function verifyConsistency(size1, size2, root1, root2, proof) {
  if (!(size1 >= 0 && size1 <= size2)) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (!proof.length) return false;
  const path = [...proof];
  if ((size1 & (size1 - 1)) === 0) path.unshift(root1); // a power of two: the first tree is a node of the second
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equal(fr, root1) && equal(sr, root2) && sn === 0;
}

function hashes(list, what) {
  if (list === null) {
    fail(`the portal gave no ${what}: its log no longer holds the tree a kept checkpoint signed `
      + "(cut short or rewritten)");
  }
  if (!Array.isArray(list)) fail(`the record's ${what} is not a list`);
  return list.map((value) => {
    const bytes = fromBase64(value, what);
    if (bytes.length !== 32) fail(`the record's ${what} holds something that is not a SHA-256 hash`);
    return bytes;
  });
}

// --- partners' passkey assertions (WebAuthn) ---------------------------------------------------------------------
const P256_SPKI = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
const ED25519_SPKI = "302a300506032b6570032100";

// An ECDSA signature in DER (SEQUENCE { INTEGER r, INTEGER s }) as WebCrypto's raw r ‖ s, 32 bytes each.
export function derToRaw(der) {
  const integer = (at) => {
    const length = der[at + 1];
    const body = der.slice(at + 2, at + 2 + length);
    if (der[at] !== 2 || !length || length > 33 || body.length !== length || body[0] & 0x80
        || (length > 1 && body[0] === 0 && !(body[1] & 0x80))) fail("the signature is not DER");
    const value = body[0] === 0 ? body.slice(1) : body;
    if (value.length > 32) fail("the signature's numbers are too large for P-256");
    return [concat(new Uint8Array(32 - value.length), value), at + 2 + length];
  };
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) fail("the signature is not DER");
  const [r, next] = integer(2);
  const [s, end] = integer(next);
  if (end !== der.length) fail("the signature is not DER");
  return concat(r, s);
}

async function checkAssertion(assertion, versionHash, keys) {
  const who = `${assertion.partner}'s signature`;
  if (assertion.version_hash !== versionHash) fail(`${who} is over another version`);
  await verifyNote(assertion.checkpoint, keys, `the checkpoint ${assertion.partner} was shown`);
  const challenge = await sha256(encoder.encode(canonical({
    checkpoint: assertion.checkpoint, decision: assertion.decision, partner: assertion.partner, version: versionHash,
  })));
  if (toHex(challenge) !== assertion.challenge) fail(`${who}: its challenge is not the hash of what was decided`);
  const clientBytes = fromBase64url(assertion.client_data_json, `${who}'s client data`);
  let client;
  try {
    client = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(clientBytes));
  } catch {
    fail(`${who}: the client data is not JSON`);
  }
  if (!client || client.type !== "webauthn.get") fail(`${who}: the client data is not of a passkey sign-in`);
  if (client.challenge !== toBase64url(challenge)) fail(`${who}: the passkey signed another challenge`);
  let host = "";
  try {
    host = new URL(assertion.origin).hostname;
  } catch {
    fail(`${who}: its origin is not a web address`);
  }
  if (client.origin !== assertion.origin || !(host === assertion.rp_id || host.endsWith(`.${assertion.rp_id}`))) {
    fail(`${who}: made on another site (${client.origin})`);
  }
  const authData = fromBase64url(assertion.authenticator_data, `${who}'s authenticator data`);
  if (authData.length < 37 || !equal(authData.slice(0, 32), await sha256(encoder.encode(assertion.rp_id)))) {
    fail(`${who}: the authenticator data is not for ${assertion.rp_id}`);
  }
  if (!(authData[32] & 1)) fail(`${who}: the authenticator did not see the person present`);
  const signed = concat(authData, await sha256(clientBytes));
  const spki = fromBase64(assertion.public_key, `${who}'s public key`);
  const signature = fromBase64url(assertion.signature, `${who}'s signature`);
  let valid;
  if (assertion.algorithm === -7) {
    if (spki.length !== 91 || !toHex(spki.slice(0, 26)).startsWith(P256_SPKI)) fail(`${who}: not a P-256 key`);
    const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, derToRaw(signature), signed);
  } else if (assertion.algorithm === -8) {
    if (spki.length !== 44 || toHex(spki.slice(0, 12)) !== ED25519_SPKI) fail(`${who}: not an Ed25519 key`);
    const key = await crypto.subtle.importKey("spki", spki, { name: "Ed25519" }, false, ["verify"]);
    valid = signature.length === 64 && await crypto.subtle.verify({ name: "Ed25519" }, key, signature, signed);
  } else {
    fail(`${who}: algorithm ${assertion.algorithm} is neither ES256 nor EdDSA`);
  }
  if (!valid) fail(`${who} does not verify with the partner's public key: it was altered or forged`);
  return `${assertion.partner}: ${assertion.decision} by ${assertion.person_name}, signed with their own passkey.`;
}

// --- the checks, in order, each passing or failing on its own --------------------------------------------------
export async function checkRecord(record, page) {
  const results = [];
  const run = async (failedWords, check) => {
    try {
      results.push({ ok: true, text: await check() });
    } catch (error) {
      if (error.name === "NotSupportedError") { // an older browser without Ed25519 in WebCrypto: not a failure
        results.push({ ok: false, unsupported: true, text: `${failedWords.replace(/ failed$/, "")} could not be `
          + "checked in this browser (it lacks the signature algorithm): check offline with verify_log.py." });
        return;
      }
      const reason = error instanceof CheckError ? error.message : `${error.name}: ${error.message}`;
      results.push({ ok: false, text: `${failedWords}: ${reason}` });
    }
  };
  const keys = Array.isArray(record.verifier_keys) ? record.verifier_keys.filter((k) => typeof k === "string") : [];
  const notes = {};
  for (const [name, words] of [["publication_checkpoint", "The checkpoint made at publication"],
    ["latest_checkpoint", "Today's checkpoint"]]) {
    await run(`${words} failed`, async () => {
      const note = record[name] || {};
      const parsed = await verifyNote(note.note, keys, words.toLowerCase());
      if (parsed.origin !== record.origin || parsed.size !== note.size) fail("it is not of this log");
      notes[name] = parsed;
      return `${words} (log size ${parsed.size}) carries the portal's signature.`;
    });
  }
  // The proofs are checked against the roots the notes hold even when a signature failed: say everything.
  const first = notes.publication_checkpoint
    || (() => { try { return parseNote(record.publication_checkpoint.note, "x"); } catch { return null; } })();
  const latest = notes.latest_checkpoint
    || (() => { try { return parseNote(record.latest_checkpoint.note, "x"); } catch { return null; } })();
  await run("The history check failed", async () => {
    if (!first || !latest) fail("a checkpoint cannot be read");
    const proof = hashes(record.consistency_proof, "consistency proof");
    if (!await verifyConsistency(first.size, latest.size, first.root, latest.root, proof)) {
      fail("today's log does not extend the log as it was at publication: its history was rewritten");
    }
    return `The log at publication (${first.size} entries) is the start of today's log (${latest.size} entries): `
      + "nothing before was changed or removed.";
  });
  let entry = null;
  let data = null;
  await run("The publication entry check failed", async () => {
    if (!first) fail("the checkpoint made at publication cannot be read");
    data = fromBase64(record.entry && record.entry.bytes, "the entry");
    const index = record.entry.index;
    const proof = hashes(record.inclusion_proof, "inclusion proof");
    if (!Number.isSafeInteger(index) || !await verifyInclusion(await leafHash(data), index, first.size, proof,
      first.root)) {
      fail("it is not in the log the checkpoint made at publication signed");
    }
    return `The publication entry is entry ${index + 1} of the log that checkpoint signed.`;
  });
  await run("The publication entry check failed", async () => {
    if (!data) fail("it cannot be read");
    try {
      entry = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
    } catch {
      fail("it is not JSON");
    }
    if (!equal(encoder.encode(canonical(entry)), data)) fail("it is not in the log's canonical form");
    const facts = entry.data || {};
    if (entry.action !== "arrangement.published" || entry.seq !== record.entry.index + 1
        || facts.version_hash !== page.versionHash || facts.slug !== page.slug
        || facts.version_number !== page.versionNumber) {
      fail("it is not the publication of the version on this page");
    }
    return `The entry publishes this version (content hash ${page.versionHash}).`;
  });
  const signatures = Array.isArray(record.signatures) ? record.signatures : [];
  for (const assertion of signatures) {
    await run(`${assertion && assertion.partner}'s signature failed`,
      () => checkAssertion(assertion || {}, page.versionHash, keys));
  }
  if (!signatures.length) {
    results.push({ ok: true, note: true, text: "No partner signed this version with a passkey (they signed off by "
      + "password, so there is no signature of theirs to check)." });
  }
  results.push({ ok: true, note: true, text: `Checked with the portal's key ${keys[0] || "(none)"}: compare it with `
    + "the key in the partnership's published documents or kept by a witness." });
  return results;
}

// --- the page ------------------------------------------------------------------------------------------------
function show(region, results) {
  const failed = results.filter((result) => !result.ok && !result.unsupported);
  const unchecked = results.filter((result) => result.unsupported);
  region.replaceChildren();
  const heading = document.createElement("h3");
  heading.className = "govuk-heading-s";
  if (failed.length) {
    heading.textContent = `${failed.length} check${failed.length === 1 ? "" : "s"} failed: do not rely on this record`;
  } else if (unchecked.length) {
    heading.textContent = "Some checks could not be made in this browser: check the record offline";
  } else {
    heading.textContent = "Every check passed";
  }
  const list = document.createElement("ul");
  list.className = "govuk-list portal-record-check__results";
  for (const result of results) {
    const item = document.createElement("li");
    const status = document.createElement("strong");
    status.textContent = result.ok ? "Passed: " : "Failed: ";
    if (result.note) status.textContent = "Note: ";
    if (result.unsupported) status.textContent = "Not checked: ";
    item.append(status, result.text);
    item.className = result.ok ? "portal-record-check__passed" : "portal-record-check__failed";
    list.append(item);
  }
  region.append(heading, list);
}

function start(root) {
  const button = root.querySelector("[data-record-check-button]");
  const region = root.querySelector("[data-record-check-result]");
  const page = {
    versionHash: root.dataset.versionHash, slug: root.dataset.slug, versionNumber: Number(root.dataset.versionNumber),
  };
  root.querySelector("[data-record-check-controls]").hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    region.textContent = "Checking the record…";
    try {
      const response = await fetch(root.dataset.recordUrl, { cache: "no-store" });
      if (!response.ok) fail(`the portal did not give the record (${(await response.text()).trim()})`);
      show(region, await checkRecord(await response.json(), page));
    } catch (error) {
      show(region, [{ ok: false, text: `The record could not be checked: ${error.message}` }]);
    } finally {
      button.disabled = false;
    }
  });
}

const root = document.querySelector("[data-record-check]");
if (root && window.crypto && window.crypto.subtle) start(root);
