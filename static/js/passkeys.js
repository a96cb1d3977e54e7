// Passkeys (issue 20, part 5): register one (/passkeys) and sign a sign-off decision with one (the decision page),
// with plain navigator.credentials. Without JavaScript or WebAuthn the pages say so and keep the password route.
// The decision's challenge is recomputed here from what the page shows (the checkpoint, decision, partner and
// version hash) and must equal the server's: the partner's browser signs exactly what the partner was shown.

const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const fromB64url = (text) => {
  const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
};

const supported = () => window.isSecureContext && "credentials" in navigator && "PublicKeyCredential" in window;

function showError(root, message) {
  const error = root.querySelector("[data-passkey-error]");
  error.textContent = message;
  error.hidden = false;
}

function ready(root) {
  const note = root.querySelector("[data-passkey-nojs]");
  const button = root.querySelector("[data-passkey-button]");
  if (!supported()) {
    if (note) note.textContent = "This browser cannot use passkeys here (it needs a recent browser and a secure "
      + "connection). " + note.textContent.replace(/^[^.]*\.\s*/, "");
    return null;
  }
  if (note) note.hidden = true;
  if (button) button.hidden = false;
  return button;
}

function failure(error) {
  if (error && error.name === "NotAllowedError") return "The passkey was not used (cancelled or timed out). Try again.";
  if (error && error.name === "InvalidStateError") return "That passkey is registered already.";
  return "The passkey could not be used: " + (error && error.message ? error.message : "unknown error") + ".";
}

// --- registering ---------------------------------------------------------------------------------
function setUpRegistration(form) {
  if (!ready(form)) return;
  form.addEventListener("submit", async (event) => {
    if (form.dataset.passkeyDone) return;
    event.preventDefault();
    if (!form.querySelector("[name=label]").value.trim()) { form.submit(); return; }  // the server says what is wrong
    const options = JSON.parse(form.dataset.options);
    const publicKey = {
      ...options,
      challenge: fromB64url(options.challenge),
      user: { ...options.user, id: fromB64url(options.user.id) },
      excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
    };
    try {
      const credential = await navigator.credentials.create({ publicKey });
      form.querySelector("[name=credential]").value = JSON.stringify({
        id: credential.id, rawId: b64url(credential.rawId), type: credential.type,
        response: {
          clientDataJSON: b64url(credential.response.clientDataJSON),
          attestationObject: b64url(credential.response.attestationObject),
          transports: credential.response.getTransports ? credential.response.getTransports() : [],
        },
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment,
      });
      form.dataset.passkeyDone = "1";
      form.submit();
    } catch (error) {
      showError(form, failure(error));
    }
  });
}

// --- signing a decision ----------------------------------------------------------------------------
// The log's canonical JSON (sorted keys, no spaces, UTF-8): JSON.stringify matches Python's json.dumps with
// ensure_ascii=False for these string values.
async function challengeFor(checkpoint, decision, partner, version) {
  const text = JSON.stringify({ checkpoint, decision, partner, version });
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function setUpSigning(root) {
  const button = ready(root);
  if (!button) return;
  const form = root.closest("form");
  button.addEventListener("click", async () => {
    const chosen = form.querySelector("[name=decision]:checked");
    const password = form.querySelector("[name=password]");
    if (password) password.value = "";
    if (!chosen) { form.submit(); return; }  // the server shows "Choose whether to approve or return it"
    const checkpoint = form.querySelector("[name=checkpoint]").value;
    const mine = await challengeFor(checkpoint, chosen.value, root.dataset.partner, root.dataset.version);
    const theirs = root.dataset[chosen.value === "approved" ? "challengeApproved" : "challengeReturned"];
    if (b64url(mine) !== theirs) {
      showError(root, "The page's challenge does not match what it shows, so nothing was signed. Reload the page.");
      return;
    }
    try {
      const credential = await navigator.credentials.get({ publicKey: {
        challenge: mine, rpId: root.dataset.rpId, userVerification: "preferred", timeout: 120000,
        allowCredentials: JSON.parse(root.dataset.credentials).map((id) => ({ type: "public-key", id: fromB64url(id) })),
      } });
      const r = credential.response;
      form.querySelector("[name=assertion]").value = JSON.stringify({
        id: credential.id, rawId: b64url(credential.rawId), type: credential.type,
        response: {
          authenticatorData: b64url(r.authenticatorData), clientDataJSON: b64url(r.clientDataJSON),
          signature: b64url(r.signature), userHandle: r.userHandle ? b64url(r.userHandle) : null,
        },
        clientExtensionResults: credential.getClientExtensionResults(),
        authenticatorAttachment: credential.authenticatorAttachment,
      });
      form.submit();
    } catch (error) {
      showError(root, failure(error));
    }
  });
}

document.querySelectorAll("[data-passkey-register]").forEach(setUpRegistration);
document.querySelectorAll("[data-passkey-sign]").forEach(setUpSigning);
