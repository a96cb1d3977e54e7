// The portal's own script: start GOV.UK Frontend's components and give htmx the CSRF token.
import { initAll } from "./govuk-frontend.min.js";
import "./suggestions.js";
import "./receipts.js"; // issue 20, part 4: focus the answer on "Check a receipt"

initAll();

// Every htmx request carries the CSRF token in a header, as Flask-WTF expects.
document.body.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});
