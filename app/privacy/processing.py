"""The record of processing (UK GDPR Article 30), read from the models themselves so it cannot drift.

Each table's purpose is its model's docstring; its columns come from the metadata; PERSONAL names the columns that
hold personal data and RETENTION says how long rows are kept. tests/privacy/test_processing.py fails when a new
table or personal column is not accounted for here.
"""
import inspect

from flask import current_app

from app.extensions import db

# Columns that hold personal data (identifiers of a person or their own words), by table.
PERSONAL = {
    "person": {"display_name", "email", "username", "password_hash", "email_confirmed_at"},
    "auth_session": {"person_id", "secret_hash", "user_agent"},
    "account_token": {"person_id", "token_hash"},
    "comment": {"author_id", "body"},
    "comment_revision": {"body"},
    "vote": {"person_id", "reason"},
    "outbox_message": {"to_address", "body_text", "body_html"},
    "notification_setting": {"person_id"},
    "consultation_notice": {"person_id"},
    "safeguarding_concern": {"person_id", "message"},
    "redacted_text": {"body"},
    "author_notice": {"person_id"},
    "comment_report": {"by_id", "reason"},
    "log_entry": {"actor"},
    "signoff": {"signatory_id"},
    "role_grant_request": {"person_id"},  # who was to be given (or lose) a role, and who asked and decided
    # Formal responses (issue 19): the organisation's words, and who wrote them.
    "org_response": {"lead_id", "updated_by_id"},
    "org_response_author": {"person_id"},
    "suggestion": {"replacement"},  # the author's words (its author is its comment's; decided_by_id is staff)
    "suggestion_support": {"person_id"},
    # Issue 19: a workshop's group voice is an account that never signs in (its name says who took part, never a
    # person); a photo of a flipchart or form may show handwriting or names.
    "workshop_session": {"voice_id"},
    "workshop_photo": {"file_id", "description"},
}
# How long rows are kept. "{...}" names a setting the partnership chooses (/admin/data-protection/settings).
RETENTION = {
    "person": "Young people's and the public's accounts: anonymised {young_account_months} months after the last "
              "consultation they took part in closed; a registration by the public never confirmed, {unconfirmed_days} "
              "days after it was made. Others: until an erasure request or the account is no longer needed.",
    "auth_session": "Deleted {session_days} days after the session ends.",
    "account_token": "Deleted as soon as the link expires.",
    "outbox_message": "The email's text is deleted {outbox_days} days after sending.",
    "comment": "For the life of the arrangement it informed; the words are removed on an erasure request.",
    "comment_revision": "As the comment.",
    "vote": "For the life of the arrangement; the reason is removed on an erasure request.",
    "suggestion": "For the life of the arrangement it informed; the suggested words are removed on an erasure "
                  "request (the passage and any wording accepted into the draft are the partnership's).",
    "suggestion_support": "For the life of the arrangement.",
    "role_grant_request": "For as long as the partnership exists: the history of who was given which role, and "
                          "who confirmed it, is part of the independent scrutiny of the arrangements.",
    "safeguarding_concern": "The designated safeguarding lead's record: kept under the partners' safeguarding "
                            "records policy, not by this portal's retention.",
    "redacted_text": "As safeguarding_concern.",
    "workshop_session": "As the comments typed in from it: for the life of the arrangement it informed.",
    "workshop_photo": "As the session: for the life of the arrangement it informed. The file is kept re-encoded, "
                      "without camera or location metadata, and only staff, moderators and the scrutineer see it.",
    "log_entry": "Permanently: it holds identifiers and SHA-256 hashes, never free text, so it keeps no words "
                 "after an erasure.",
    "merkle_node": "Permanently, as the log: SHA-256 hashes of its entries, nothing else.",
    "log_checkpoint_signed": "Permanently, as the log: signed tree sizes and root hashes, which witnesses keep too.",
}
RETENTION["org_response"] = ("A submitted response: for the life of the arrangement it informed (it is the "
                              "organisation's, not a person's). A draft never submitted: as long as its authors' "
                              "accounts.")
# Issue 20 part 3 (app/witness): who was emailed each checkpoint; the workspace's record of checkpoints and alarms.
PERSONAL["witness_checkpoint_email"] = {"person_id"}
RETENTION["witness_checkpoint_email"] = ("Permanently, as the log: which partner lead or scrutineer was sent which "
                                         "checkpoint (the email itself goes as any other).")
RETENTION["witness_seen_checkpoint"] = "Permanently, as the log: the checkpoints the scrutiny workspace has seen."
RETENTION["witness_alarm"] = "Permanently, as the log: a rewritten history found, and by whom."
RETENTION["witness_alarm_dealt_with"] = "Permanently, as the log: what the scrutineers did about an alarm."
# Issue 20 part 5 (app/passkeys): partners' passkeys (public keys only: the private key never leaves their device).
PERSONAL["passkey"] = {"person_id", "label"}
RETENTION["passkey"] = "Until its owner removes it (a public key, its counter and the name they gave it)."
PERSONAL["passkey_challenge"] = {"person_id"}
RETENTION["passkey_challenge"] = ("Until used, or deleted when the next is made after it expires (minutes): a "
                                  "random challenge.")
PERSONAL["signoff_assertion"] = {"person_id"}
RETENTION["signoff_assertion"] = ("Permanently, as the sign-off it proves: the partner's signature, published with "
                                  "the arrangement.")
DEFAULT_RETENTION = "For the life of the arrangement and its scrutiny."


def _models():
    return {mapper.local_table.name: mapper.class_ for mapper in db.Model.registry.mappers}


def record(settings=None):
    """[{table, purpose, columns: [(name, type, personal)], personal, retention}] for every table, by name."""
    models = _models()
    values = {"young_account_months": "12", "session_days": "30", "outbox_days": "30"}
    if settings is not None:
        values = {key: getattr(settings, key) for key in values}
    values["unconfirmed_days"] = current_app.config["UNCONFIRMED_REGISTRATION_DAYS"]
    result = []
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        model = models.get(table.name)
        doc = inspect.getdoc(model) if model is not None and model.__doc__ else ""
        personal = PERSONAL.get(table.name, set())
        result.append({
            "table": table.name, "purpose": doc.split("\n\n")[0].replace("\n", " ") if doc else "",
            "columns": [(c.name, str(c.type), c.name in personal) for c in table.columns],
            "personal": bool(personal),
            "retention": RETENTION.get(table.name, DEFAULT_RETENTION).format(**values),
        })
    return result
