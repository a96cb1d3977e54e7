"""Receipts for respondents, and "Check a receipt" (issue 20, part 4)."""
