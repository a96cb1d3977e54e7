// Suggested wording (app/suggestions), with JavaScript: select words in a section to suggest new wording for them.
// Without JavaScript every link and form works as it is: this only fills them in from the selection.

const MAX_PASSAGE = 2000;
const WORD = /[\p{L}\p{N}_'’-]/u;

// The selection widened to whole words, as text, if it lies inside `element`; otherwise null.
function selectedWords(element) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0).cloneRange();
  if (!element.contains(range.commonAncestorContainer)) return null;
  const { startContainer, endContainer } = range;
  if (startContainer.nodeType === Node.TEXT_NODE) {
    let start = range.startOffset;
    while (start > 0 && WORD.test(startContainer.data[start - 1])) start -= 1;
    range.setStart(startContainer, start);
  }
  if (endContainer.nodeType === Node.TEXT_NODE) {
    let end = range.endOffset;
    while (end < endContainer.data.length && WORD.test(endContainer.data[end])) end += 1;
    range.setEnd(endContainer, end);
  }
  const words = range.toString().replace(/\s+/g, " ").trim();
  return words ? words.slice(0, MAX_PASSAGE) : null;
}

function shorten(words) {
  return words.length > 60 ? `${words.slice(0, 57)}…` : words;
}

// The consultation page: the "Suggest new wording" link of a section takes the words selected in its text along.
function enhanceSection(container) {
  const link = container.querySelector("[data-suggest-link]");
  const section = container.closest("section");
  const body = section && section.querySelector(".portal-section__body, .govuk-details__text");
  if (!link || !body) return;
  const hint = container.querySelector("[data-suggest-hint]");
  if (hint) hint.hidden = false;
  const base = link.dataset.suggestLink;
  const label = link.querySelector(".govuk-visually-hidden");
  const update = () => {
    const words = selectedWords(body);
    if (!words) return; // keep the last selection: clicking the link may clear the page's selection first
    link.href = `${base}?passage=${encodeURIComponent(words)}`;
    link.firstChild.textContent = `Suggest new wording for “${shorten(words)}”`;
    if (label) label.textContent = "";
  };
  body.addEventListener("mouseup", update);
  body.addEventListener("keyup", update);
  body.addEventListener("touchend", update);
}

// The suggest page: words selected in the section's text fill in the passage (and the wording, to edit).
function enhanceForm(source, form) {
  const passage = form.querySelector("textarea[name$='passage']");
  const replacement = form.querySelector("textarea[name$='replacement']");
  if (!passage) return;
  document.querySelectorAll("[data-suggest-hint]").forEach((hint) => { hint.hidden = false; });
  const fill = () => {
    const words = selectedWords(source);
    if (!words) return;
    passage.value = words;
    if (replacement) replacement.value = words;
  };
  source.addEventListener("mouseup", fill);
  source.addEventListener("keyup", fill);
  source.addEventListener("touchend", fill);
}

document.querySelectorAll("[data-suggest-section]").forEach(enhanceSection);
const source = document.querySelector("[data-suggest-source]");
const form = document.querySelector("[data-suggest-form]");
if (source && form) enhanceForm(source, form);
