"""Receipts for comments, replies and votes (issue 20, part 4), without HTTP."""
import base64
import hashlib
import json

import pytest
from sqlalchemy import func, select

from app.consultations import services
from app.mail.models import OutboxMessage
from app.receipts import services as receipts
from app.trail import signing, tree
from app.trail.models import SignedCheckpoint
from app.trail.verify_log import ReceiptError, leaf_hash, verify_inclusion
from tests.receipts.helpers import comment_receipt, vote_receipt, with_entry

OTHERS_WORDS = "Someone else's words about the Early Intervention group"


def _assert_sound(receipt):
    """Everything a receipt claims holds: its entry is leaf `index` of the signed tree the proof leads to."""
    assert receipt["format"] == "consultation-receipt/1"
    assert receipt["origin"] == signing.origin()
    body = base64.b64decode(receipt["entry"])
    assert json.loads(body) == receipt["entry_decoded"]
    assert receipt["entry_decoded"]["seq"] == receipt["index"] + 1
    assert tree.fetch({(0, receipt["index"])})[(0, receipt["index"])] == leaf_hash(body)
    size, root = signing.verify_note(receipt["checkpoint"], [receipt["verifier_key"]])
    assert size > receipt["index"]
    proof = [base64.b64decode(p) for p in receipt["inclusion_proof"]]
    assert verify_inclusion(leaf_hash(body), receipt["index"], size, proof, root)


def test_a_comment_receipt_holds_the_entry_its_text_hash_and_proofs(consultation, sections, practitioner, vcs):
    services.post_comment(vcs, consultation, OTHERS_WORDS, section=sections[0])
    words = "The group should meet monthly and include schools."
    comment = services.post_comment(practitioner, consultation, words, section=sections[0])
    services.post_comment(vcs, consultation, OTHERS_WORDS + " again", section=sections[1])
    receipt = comment_receipt(comment, practitioner)
    _assert_sound(receipt)
    entry = receipt["entry_decoded"]
    assert (entry["action"], entry["subject"], entry["actor"]) == ("comment.posted", f"comment:{comment.id}",
                                                                     practitioner.id)
    assert receipt["text_sha256"] == hashlib.sha256(words.encode()).hexdigest() == entry["data"]["body_sha256"]
    text = receipts.to_json(receipt)
    assert words not in text and OTHERS_WORDS not in text  # hashes only, and only the author's own entry
    assert "Someone" not in text and vcs.email not in text and practitioner.email not in text


def test_a_reply_receipt_names_its_parent_but_not_its_words(consultation, sections, practitioner, vcs):
    parent = services.post_comment(vcs, consultation, OTHERS_WORDS, section=sections[0])
    reply = services.reply(practitioner, parent, "I agree, and schools should chair it.")
    receipt = comment_receipt(reply, practitioner)
    _assert_sound(receipt)
    assert receipt["entry_decoded"]["action"] == "reply.posted"
    assert receipt["entry_decoded"]["data"]["parent"] == parent.id
    assert receipt["text_sha256"] == hashlib.sha256(b"I agree, and schools should chair it.").hexdigest()
    assert OTHERS_WORDS not in receipts.to_json(receipt)


def test_a_vote_receipt_is_of_its_latest_entry(consultation, sections, practitioner):
    vote = services.cast_vote(practitioner, consultation, sections[0], "support", "A good idea")
    first = vote_receipt(vote, practitioner)
    _assert_sound(first)
    assert first["entry_decoded"]["action"] == "vote.cast" and "text_sha256" not in first
    assert first["entry_decoded"]["data"]["choice"] == "support"
    assert "A good idea" not in receipts.to_json(first)
    vote = services.cast_vote(practitioner, consultation, sections[0], "oppose", "Changed my mind")
    changed = vote_receipt(vote, practitioner)
    _assert_sound(changed)
    assert changed["entry_decoded"]["action"] == "vote.changed" and changed["index"] > first["index"]


def test_a_young_persons_receipt_carries_no_username_or_name(consultation, sections, young):
    comment = services.post_comment(young, consultation, "We want a say in the youth group.", section=sections[0])
    receipt = comment_receipt(comment, young)
    _assert_sound(receipt)
    text = receipts.to_json(receipt)
    assert young.username not in text and young.display_name not in text
    # The log names a person only by their account's number, never by username or name.
    assert receipt["entry_decoded"]["actor"] == young.id and isinstance(receipt["entry_decoded"]["actor"], int)
    assert receipt["entry_decoded"]["data"]["audience"] == "young_people"


def test_only_the_author_has_a_receipt(consultation, sections, practitioner, vcs, facilitator):
    comment = services.post_comment(practitioner, consultation, "Mine", section=sections[0])
    vote = services.cast_vote(practitioner, consultation, sections[0], "support")
    for person in (vcs, facilitator):
        assert receipts.comment_entry(comment, person.id) is None
        assert receipts.vote_entry(vote, person.id) is None


def test_a_receipt_is_emailed_to_an_author_with_an_email_address(db, consultation, sections, practitioner, young):
    words = "Please publish the minutes of each group."
    comment = services.post_comment(practitioner, consultation, words, section=sections[0])
    services.cast_vote(practitioner, consultation, sections[0], "support_with_changes")
    services.post_comment(young, consultation, "Young person's words", section=sections[0])  # no email address
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    mine = [m for m in messages if m.to_address == practitioner.email]
    assert [m.subject for m in mine] == ["Your receipt: your comment is in the consultation log",
                                         "Your receipt: your vote is in the consultation log"]
    body = mine[0].body_text
    emailed = json.loads(body.split("----- receipt begins -----\n")[1].split("----- receipt ends -----")[0])
    _assert_sound(emailed)
    assert emailed["entry_decoded"]["subject"] == f"comment:{comment.id}"
    assert words not in body and "Young person's words" not in body
    assert receipts.check(receipts.to_json(emailed)).in_todays_log
    assert len(messages) == 2  # nothing for the young person


def test_the_latest_checkpoint_is_used_when_it_covers_the_entry(db, consultation, sections, practitioner):
    comment = services.post_comment(practitioner, consultation, "Covered", section=sections[0])
    count = db.session.scalar(select(func.count(SignedCheckpoint.id)))
    receipt = comment_receipt(comment, practitioner)  # the emailed receipt already made one that covers it
    assert db.session.scalar(select(func.count(SignedCheckpoint.id))) == count
    assert receipt["checkpoint"] == signing.latest().note


def test_check_accepts_a_good_receipt_and_says_what_it_is(consultation, sections, practitioner):
    comment = services.post_comment(practitioner, consultation, "Good", section=sections[0])
    result = receipts.check(receipts.to_json(comment_receipt(comment, practitioner)))
    assert result.in_todays_log and result.what == "A comment"
    assert result.consultation_title == consultation.title and result.consultation_id == consultation.id


@pytest.mark.parametrize("damage,message", [
    (lambda r: with_entry(r, lambda e: e.update(at="2019-01-01T00:00:00.000000Z")), "inclusion proof does not lead"),
    (lambda r: {**r, "inclusion_proof": [base64.b64encode(b"\x07" * 32).decode()] + r["inclusion_proof"][1:]},
     "inclusion proof does not lead"),
    (lambda r: {**r, "checkpoint": r["checkpoint"].replace("\n\u2014 ", "\n\u2014 x")}, "signature does not verify"),
    (lambda r: {**r, "checkpoint": r["checkpoint"][:-10] + "AAAAAAAAA\n"}, "signature does not verify"),
    (lambda r: {**r, "index": r["index"] - 1}, "is not its entry's place in the log"),
    (lambda r: with_entry({**r, "index": r["index"] - 1}, lambda e: e.update(seq=e["seq"] - 1)),
     "inclusion proof does not lead"),
    (lambda r: {**r, "entry_decoded": {**r["entry_decoded"], "actor": 1}}, "entry_decoded differs"),
    (lambda r: {**r, "text_sha256": "1" * 64}, "text_sha256 is not the SHA-256"),
    (lambda r: {**r, "format": "something/2"}, "not a consultation receipt"),
    (lambda r: {k: v for k, v in r.items() if k != "checkpoint"}, "has no checkpoint"),
    (lambda r: {**r, "entry": "!!!"}, "not valid base64"),
    (lambda r: {**r, "inclusion_proof": "abc"}, "not a list"),
])
def test_check_refuses_a_tampered_receipt_with_one_line(consultation, sections, practitioner, damage, message):
    services.post_comment(practitioner, consultation, "First", section=sections[1])
    comment = services.post_comment(practitioner, consultation, "Tamper with me", section=sections[0])
    services.post_comment(practitioner, consultation, "Third", section=sections[2])
    receipt = comment_receipt(comment, practitioner)
    receipts.check(receipts.to_json(receipt))  # sound before the damage
    with pytest.raises(ReceiptError, match=message) as error:
        receipts.check(json.dumps(damage(receipt)))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("text,message", [("", "Upload your receipt"), ("{not json", "not valid JSON"),
                                          ("[1, 2]", "a JSON object"), ("x" * 70_000, "at most 64 KB")])
def test_check_refuses_what_is_not_a_receipt(app, text, message):
    with pytest.raises(ReceiptError, match=message):
        receipts.check(text)


def test_check_says_not_in_todays_log_after_history_is_rewritten(db, consultation, sections, practitioner):
    from tests.trail.test_append_only import rewrite_from

    comment = services.post_comment(practitioner, consultation, "Will they drop me?", section=sections[0])
    receipt = receipts.to_json(comment_receipt(comment, practitioner))
    assert receipts.check(receipt).in_todays_log
    rewrite_from(db, 2)  # an early entry changed, every later hash and the whole tree recomputed
    result = receipts.check(receipt)  # the latest checkpoint is still the receipt's own: today's tree differs
    assert not result.in_todays_log and "history was rewritten" in result.why_not
    services.post_comment(practitioner, consultation, "After the rewrite", section=sections[1])  # signs the new tree
    assert signing.latest().size > json.loads(receipt)["index"] + 1
    result = receipts.check(receipt)
    assert not result.in_todays_log and "does not extend" in result.why_not


def test_receipt_emails_can_be_turned_off(app, db, consultation, sections, practitioner):
    app.config["RECEIPT_EMAILS"] = False
    services.post_comment(practitioner, consultation, "No email please", section=sections[0])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_checkpoints_made_for_receipts_are_not_emailed_to_witnesses(db, consultation, sections, practitioner,
                                                                    make_person):
    from app.accounts.models import Role

    scrutineer = make_person(Role.SCRUTINEER)
    services.post_comment(practitioner, consultation, "Made a receipt checkpoint", section=sections[0])
    assert signing.latest().reason == "receipt"
    to_witness = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == scrutineer.email)).all()
    assert not [m for m in to_witness if m.subject.startswith("Consultation log checkpoint")]
