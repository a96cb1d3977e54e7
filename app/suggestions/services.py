"""The rules for suggested wording. One function = one transaction (services calling services share it).

- A participant who may comment suggests wording for a passage of a section while the consultation is open: the
  passage must stand in the section's text exactly once (or be the part of an edited copy of the text that changed),
  the form must have shown the section's text as it is now (its SHA-256), and no open suggestion may already cover
  any of the same words. Its reason is posted as a comment on the section in the same transaction, so young people's
  and the public's suggestions wait for a moderator and are screened for possible disclosures of harm (the reason and
  the replacement text) exactly as their comments are.
- Others who take part support it (once each: a database constraint), or comment on it (replies to its comment).
- Once the consultation has closed a facilitator decides: accept (the wording goes into the next working version of
  the draft), accept with changes (their own wording goes in) or decline. The decision is the comment's answer in
  "You said, we did" (app/responses): a draft until the answers are published. Each act is logged.
"""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import PRE_MODERATED
from app.consultations import services as consultations
from app.consultations.models import Comment, CommentStatus
from app.database import transaction
from app.drafts import services as drafts
from app.drafts.models import DraftVersion, VersionStatus
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.moderation import signals
from app.suggestions import text
from app.suggestions.models import Suggestion, SuggestionOutcome, SuggestionSupport
from app.timeutil import format_london, utcnow
from app.trail import services as trail

MAX_PASSAGE = 2000
MAX_REPLACEMENT = 5000
MAX_REASON = consultations.MAX_COMMENT

STALE = ("The section has changed since you opened this page, so your suggestion was not saved. Its text as it is "
         "now is shown below: check your suggestion against it and send it again.")
NOT_FOUND = ("These words are not in the section’s text as written, as whole words. Copy them from the section (within one "
             "paragraph or list item, without bullet points or numbers), or change them in a copy of the whole text "
             "instead.")


def _clean(value):
    return consultations.clean_text(value)


def find_for_comment(comment_id):
    return db.session.execute(select(Suggestion).where(Suggestion.comment_id == comment_id)).scalar_one_or_none()


def is_suggestion(comment_id):
    return db.session.execute(select(Suggestion.id).where(Suggestion.comment_id == comment_id)).first() is not None


# --- suggesting ---------------------------------------------------------------------------------------

def _already_sent(author_id, submission_key):
    """The suggestion this person already stored from the same form (a double submit), or None."""
    if not submission_key:
        return None
    return db.session.execute(select(Suggestion).join(Comment, Suggestion.comment_id == Comment.id).where(
        Comment.author_id == author_id, Comment.submission_key == submission_key)).scalar_one_or_none()


def suggest(author, consultation, section, *, reason, made_against, passage=None, replacement=None, edited=None,
            use=None, submission_key=None, now=None):
    """New wording for a passage of `section`, with the reason (posted as a comment on the section).

    Either `passage` and `replacement` (the words as they stand, and as they should read), or `edited`: a copy of the
    section's whole text with the change made in it. `made_against` is the SHA-256 of the section text the form
    showed. The same form sent twice stores one suggestion."""
    author_id = author.id
    earlier = _already_sent(author_id, submission_key)
    if earlier is not None:
        return earlier
    try:
        return _suggest(author, consultation, section, reason=reason, made_against=made_against, passage=passage,
                        replacement=replacement, edited=edited, use=use, submission_key=submission_key, now=now)
    except IntegrityError:  # the same form sent twice at once: the comment's one-time key kept one
        db.session.rollback()
        earlier = _already_sent(author_id, submission_key)
        if earlier is None:
            raise
        return earlier


def _where(section, passage, replacement, edited):
    """(start, end, replacement, the form field a refusal belongs on)."""
    body = section.body or ""
    if edited is not None:
        edited = _clean(edited)
        if not edited:
            raise DomainError("Enter the section’s text with your change made in it", field="edited")
        change = text.edited_change(body, edited)
        if change is None:
            raise DomainError("You have not changed the text. Change the words you want to suggest new wording for",
                              field="edited")
        start, end, replacement = change
        if end - start > MAX_PASSAGE:
            raise DomainError(f"Your changes reach across more than {MAX_PASSAGE:,} characters of the section. "
                              "Suggest them one passage at a time", field="edited")
        return start, end, replacement.strip(), "edited"
    passage = _clean(passage)
    if not passage:
        raise DomainError("Enter the words of the section you want to change", field="passage")
    if len(passage) > MAX_PASSAGE:
        raise DomainError(f"The words to change must be {MAX_PASSAGE:,} characters or fewer (they have "
                          f"{len(passage):,}). Suggest a shorter passage", field="passage")
    places = text.find(body, passage)
    if not places:
        raise DomainError(NOT_FOUND, field="passage")
    if len(places) > 1:
        raise DomainError(f"These words appear {len(places)} times in the section. Add a word or two before or after "
                          "them, so that it is clear which you mean", field="passage")
    start, end = places[0]
    if text.crosses_emphasis(body[start:end]):
        raise DomainError("These words start or end part of the way through bold or italic words in the section. "
                          "Choose words that are all in bold (or italics), or take in the whole of the bold part",
                          field="passage")
    return start, end, _clean(replacement), "passage"


def _overlapping(section, start, end, author_id):
    """An open suggestion on the same words: published ones, and the person's own waiting for a moderator."""
    visible = (Comment.status == CommentStatus.PUBLISHED.value) | (
        (Comment.status == CommentStatus.PENDING.value) & (Comment.author_id == author_id))
    rows = db.session.execute(select(Suggestion).join(Comment, Suggestion.comment_id == Comment.id).where(
        Suggestion.section_id == section.id, Suggestion.outcome.is_(None), visible).order_by(Suggestion.id)).scalars()
    return next((s for s in rows if text.overlaps(start, end, s.passage_start, s.passage_end)), None)


def _suggest(author, consultation, section, *, reason, made_against, passage, replacement, edited, use,
             submission_key, now):
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        author_id = author.id
        audience = consultations._require_taking_part(author, consultation, now)
        if section is None or section.version_id != consultation.version_id:
            raise DomainError("That section is not part of this consultation")
        current = text.sha256(section.body or "")
        if made_against != current:
            raise DomainError(STALE, field="edited" if edited is not None else "passage")
        start, end, replacement, field = _where(section, passage, replacement, edited)
        passage = section.body[start:end]
        if len(replacement) > MAX_REPLACEMENT:
            raise DomainError(f"Your wording must be {MAX_REPLACEMENT:,} characters or fewer (it has "
                              f"{len(replacement):,})", field="replacement" if field == "passage" else field)
        if text.normal(replacement) == text.normal(passage):
            raise DomainError("Your wording is the same as the section’s. Change it, or leave a comment instead",
                              field="replacement" if field == "passage" else field)
        other = _overlapping(section, start, end, author_id)
        if other is not None:
            raise DomainError(f"Suggestion {other.id} already proposes new wording for some of these words "
                              f"(“{text.normal(other.passage)[:80]}”). Support it or comment on it, or choose other "
                              "words", field=field)
        reason = _clean(reason)
        if not reason:
            raise DomainError("Enter why you suggest this wording", field="reason")
        if len(reason) > MAX_REASON:
            raise DomainError(f"Your reason must be {MAX_REASON:,} characters or fewer (it has {len(reason):,})",
                              field="reason")
        comment = consultations._post_comment(author, consultation, reason, section, now, submission_key, use)
        suggestion = Suggestion(
            comment_id=comment.id, consultation_id=consultation.id, section_id=section.id, section_key=section.key,
            passage_start=start, passage_end=end, passage=passage, replacement=replacement, section_sha256=current,
            version_hash=consultation.version.content_hash, created_at=now)
        session.add(suggestion)
        session.flush()
        trail.append("suggestion.made", f"suggestion:{suggestion.id}", {
            "consultation": consultation.id, "comment": comment.id, "section": section.id,
            "section_key": section.key, "passage_start": start, "passage_end": end,
            "passage_sha256": trail.text_hash(passage), "replacement_sha256": trail.text_hash(replacement),
            "section_sha256": current, "version_hash": suggestion.version_hash, "audience": audience,
        }, actor=author_id)
        _screen(comment, replacement, now)
    return suggestion


def _screen(comment, replacement, now):
    """The replacement is screened as the reason was (app/moderation/signals.py): a young person's or the public's
    words that may disclose harm go to the designated safeguarding lead at once, whichever field holds them."""
    from app.moderation.services import hold_possible_disclosure

    if comment.author_audience in PRE_MODERATED and not comment.flagged and signals.is_flagged(replacement):
        comment.flagged = True
        db.session.flush()
        hold_possible_disclosure(comment, now)


# --- support ----------------------------------------------------------------------------------------

def _supportable(person, suggestion, now):
    comment = suggestion.comment
    audience = consultations._require_taking_part(person, comment.consultation, now)
    if comment.author_id == person.id:
        raise DomainError("This is your own suggestion: others can support it")
    if comment.status == CommentStatus.PENDING.value:
        raise DomainError("You can support this suggestion once a moderator has checked it")
    if comment.status != CommentStatus.PUBLISHED.value:
        raise DomainError("This suggestion is not open for support")
    return audience


def _recount(suggestion):
    suggestion.support_count = db.session.execute(select(func.count()).select_from(SuggestionSupport).where(
        SuggestionSupport.suggestion_id == suggestion.id, SuggestionSupport.withdrawn_at.is_(None))).scalar_one()


def _find_support(suggestion_id, person_id):
    return db.session.execute(select(SuggestionSupport).where(SuggestionSupport.suggestion_id == suggestion_id,
                                                              SuggestionSupport.person_id == person_id)
                              ).scalar_one_or_none()


def support(person, suggestion, now=None):
    """Support a suggestion: once per person (a database constraint); supporting again changes nothing."""
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        person_id = person.id
        audience = _supportable(person, suggestion, now)
        row = _find_support(suggestion.id, person_id)
        if row is not None and row.withdrawn_at is None:
            return row
        if row is None:
            try:
                with session.begin_nested():  # the same button pressed twice at once: one row
                    row = SuggestionSupport(suggestion_id=suggestion.id, person_id=person_id, audience=audience,
                                            created_at=now)
                    session.add(row)
            except IntegrityError:
                row = _find_support(suggestion.id, person_id)
                if row.withdrawn_at is None:
                    return row
        row.withdrawn_at = None
        session.flush()
        _recount(suggestion)
        session.flush()
        trail.append("suggestion.supported", f"suggestion:{suggestion.id}", {
            "consultation": suggestion.consultation_id, "support": row.id, "audience": audience}, actor=person_id)
    return row


def withdraw_support(person, suggestion, now=None):
    """Take one's support back while the consultation is open (the row is kept, dated)."""
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        person_id = person.id
        consultations._require_taking_part(person, suggestion.comment.consultation, now)
        row = _find_support(suggestion.id, person_id)
        if row is None or row.withdrawn_at is not None:
            raise DomainError("You do not support this suggestion")
        row.withdrawn_at = now
        session.flush()
        _recount(suggestion)
        session.flush()
        trail.append("suggestion.support_withdrawn", f"suggestion:{suggestion.id}", {
            "consultation": suggestion.consultation_id, "support": row.id}, actor=person_id)
    return row


# --- deciding ---------------------------------------------------------------------------------------

def _require_facilitator(by, consultation):
    from app.responses.services import _require_facilitator as require

    try:
        require(by, consultation)
    except NotAllowed:
        raise NotAllowed("Only facilitators can decide on suggested wording") from None


def working_version(draft_id):
    """The draft's version being edited now, or None."""
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                         DraftVersion.status == VersionStatus.WORKING.value)
                              ).scalar_one_or_none()


def latest_published(draft_id):
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                         DraftVersion.status == VersionStatus.PUBLISHED.value)
                              .order_by(DraftVersion.number.desc()).limit(1)).scalar_one_or_none()


def place_in(section, suggestion):
    """(start, end) of the suggestion's passage in `section` (of a later version), or a DomainError saying why it
    cannot go in: the section is as it was (the recorded place), or the passage stands in it exactly once."""
    body = section.body or ""
    if text.sha256(body) == suggestion.section_sha256:
        return suggestion.passage_start, suggestion.passage_end
    places = text.find(body, suggestion.passage)
    if len(places) == 1:
        return places[0]
    number = section.version.number
    raise DomainError(
        f"“{section.title}” in version {number} has changed since this suggestion was made: the words it changes "
        + ("are no longer in it" if not places else f"now appear {len(places)} times in it")
        + f". Change version {number} by hand, or decline the suggestion and say why", field="outcome")


def _apply(by, suggestion, final):
    """Put the final wording into the next working version (made from the newest published one if none is being
    edited). Returns that version's section."""
    draft_id = suggestion.section.version.draft_id
    working = working_version(draft_id)
    if working is None:
        working = drafts.new_version_from(by, latest_published(draft_id))
    section = next((s for s in working.sections if s.key == suggestion.section_key), None)
    if section is None:
        raise DomainError(f"“{suggestion.section.title}” is no longer in version {working.number}, so this wording "
                          "cannot go into it. Add the section back, or decline the suggestion and say why",
                          field="outcome")
    start, end = place_in(section, suggestion)
    drafts.update_section(by, section, title=section.title, body=text.apply(section.body, start, end, final),
                          plain_summary=section.plain_summary, topics=[t.value for t in section.topic_set])
    return section


def _final_wording(suggestion, outcome, final_text):
    if outcome is SuggestionOutcome.DECLINED:
        return None
    if outcome is SuggestionOutcome.ACCEPTED:
        if suggestion.erased_sha256 is not None or suggestion.comment.redacted_at is not None:
            raise DomainError("The suggested words have been removed from the record, so they cannot be accepted as "
                              "they were. Accept with changes (write the wording), or decline", field="outcome")
        return suggestion.replacement
    final = _clean(final_text)
    if not final:
        raise DomainError("Enter the wording that goes into the draft", field="final_text")
    if len(final) > MAX_REPLACEMENT:
        raise DomainError(f"The wording must be {MAX_REPLACEMENT:,} characters or fewer", field="final_text")
    if text.normal(final) == text.normal(suggestion.replacement):
        raise DomainError("This is the suggested wording unchanged: choose “Accept”, or change the wording",
                          field="final_text")
    if text.normal(final) == text.normal(suggestion.passage):
        raise DomainError("This is the section’s wording as it was: choose “Decline” and say why, or change the "
                          "wording", field="final_text")
    return final


def decide(by, suggestion, *, outcome, reason, final_text=None, amendment_reason=None, now=None):
    """Accept (into the next working version), accept with changes (`final_text` goes in) or decline, with the reason
    the person who suggested it is given: the comment's answer in "You said, we did", a draft until published.

    A decision, once made, stands (its wording is in the draft); deciding the same way again changes only the
    answer's reason (amended with a reason after sign-off was asked for, as every answer is)."""
    from app.responses import services as responses

    now = now or utcnow()
    comment = suggestion.comment
    consultation = comment.consultation
    _require_facilitator(by, consultation)
    if not responses.may_answer(consultation):
        raise DomainError("Decide on suggested wording once the consultation has closed", field="outcome")
    if comment.status == CommentStatus.PENDING.value:
        raise DomainError("A moderator has not checked this suggestion yet", field="outcome")
    if comment.status != CommentStatus.PUBLISHED.value:
        raise DomainError("Only a published suggestion can be decided on", field="outcome")
    try:
        outcome = SuggestionOutcome(outcome)
    except ValueError:
        raise DomainError("Choose whether to accept, accept with changes or decline the suggestion",
                          field="outcome") from None
    if not _clean(reason):
        raise DomainError("Enter the reason, in words the person who suggested it will understand", field="reason")
    final = _final_wording(suggestion, outcome, final_text)
    decided = suggestion.outcome_enum
    if decided is not None and (decided is not outcome or (outcome.accepts and text.normal(final) !=
                                                           text.normal(suggestion.final_text))):
        where = f" into version {suggestion.applied_version.number}" if suggestion.applied_version else ""
        raise DomainError(f"This suggestion was {decided.label.lower()}{where} on "
                          f"{format_london(suggestion.decided_at, with_time=False)}, and that decision stands. "
                          "You can change the reason given", field="outcome")
    with transaction() as session:
        by_id = by.id
        if decided is None:
            if outcome.accepts:
                section = _apply(by, suggestion, final)
                suggestion.applied_version_id, suggestion.applied_section_id = section.version_id, section.id
            suggestion.outcome, suggestion.final_text = outcome.value, final
            suggestion.decided_by_id, suggestion.decided_at = by_id, now
            session.flush()
        response = responses.respond(by, consultation, outcome=outcome.answer_outcome, reason=reason,
                                     comment=comment, changed_section_key=suggestion.section_key if outcome.accepts
                                     else None, amendment_reason=amendment_reason, suggestion_decision=True)
        if decided is None:
            trail.append(f"suggestion.{outcome.value}", f"suggestion:{suggestion.id}", {
                "consultation": consultation.id, "comment": comment.id, "outcome": outcome.value,
                "final_sha256": trail.text_hash(final) if final is not None else None,
                "version": suggestion.applied_version_id, "section": suggestion.applied_section_id,
                "response": response.id}, actor=by_id)
    return suggestion


# --- safeguarding and erasure (called inside app/moderation's and app/privacy's transactions) -------

def redact_with_comment(comment, concern, by_id, now):
    """The designated safeguarding lead moved a comment's text into their record: its suggestion's replacement goes
    there too. Returns what the comment's redaction entry adds to the log ({} if the comment suggests nothing)."""
    from app.moderation.models import RedactedText

    suggestion = find_for_comment(comment.id)
    if suggestion is None or not suggestion.replacement:
        return {}
    db.session.add(RedactedText(concern_id=concern.id, comment_id=comment.id, body=suggestion.replacement,
                                redacted_by_id=by_id, redacted_at=now))
    digest, suggestion.replacement = trail.text_hash(suggestion.replacement), ""
    return {"suggestion": suggestion.id, "replacement_sha256": digest}


def erase_with_comment(comment):
    """An erasure request: the suggested words become the erasure marker, their SHA-256 kept beside them (the log
    already holds it). Returns what the comment's erasure entry adds to the log ({} if nothing changed)."""
    from app.privacy import ERASED_MARKER

    suggestion = find_for_comment(comment.id)
    if suggestion is None or suggestion.erased_sha256 is not None or suggestion.replacement in ("", ERASED_MARKER):
        return {}
    suggestion.erased_sha256 = trail.text_hash(suggestion.replacement)
    suggestion.replacement = ERASED_MARKER
    return {"suggestion": suggestion.id}
