"""Suggested wording (issue 19): a participant proposes replacement text for a passage of a section under
consultation, with a reason. The reason is a comment on the section (so it is moderated, screened, replied to and
answered like any comment); the passage, the replacement and the section text it was made against are kept here.

models.py    Suggestion (one per comment), SuggestionSupport (one per person)
text.py      finding a passage, turning an edited copy of a section into one change, the tracked change shown
services.py  the rules: suggest, support, decide (accept into the next working version, with changes, decline)
queries.py   what pages read: cards for comment threads, lists, the sign-off check, the report
exports.py   the scrutiny export's two files and the open data
routes.py    the pages (blueprint "suggestions")
"""
