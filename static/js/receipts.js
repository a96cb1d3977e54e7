// "Check a receipt" (issue 20, part 4): when htmx swaps in the answer or the error summary, move the focus to it,
// as a page load would (GOV.UK Frontend focuses an error summary only on the page it starts on).
document.body.addEventListener("htmx:afterSettle", () => {
  const answer = document.querySelector("#receipt-checker [data-receipt-focus]");
  if (answer && !answer.dataset.receiptFocused) {
    answer.dataset.receiptFocused = "true";
    answer.setAttribute("tabindex", "-1");
    answer.focus();
  }
});
