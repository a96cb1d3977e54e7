"""Parents, carers and the public register (issue 17): the rules, with no HTTP. Run on PostgreSQL too
(DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import registration
from app.accounts.models import AccountToken, Person, Role
from app.consultations import services as consultations
from app.consultations.models import CommentStatus
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.moderation.models import SafeguardingConcern
from app.privacy.retention import apply_retention
from app.privacy.services import subject_access
from app.timeutil import utcnow
from tests.conftest import PASSWORD


def _mail(db, to):
    db.session.expire_all()
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == to)
                              .order_by(OutboxMessage.id)).scalars().all()


def _token_from(message):
    return message.body_text.split("/register/confirm/", 1)[1].split()[0]


@pytest.fixture
def parent(partnership, db):
    """A registered parent who confirmed their address."""
    person = registration.register("Parent@Example.org", "parent_or_carer", PASSWORD)
    registration.confirm_email(_token_from(_mail(db, "parent@example.org")[0]))
    return person


def test_registering_makes_an_unconfirmed_public_account_and_emails_a_link(partnership, db):
    person = registration.register(" Pat@Example.org ", "member_of_public", PASSWORD)
    assert person.email == "pat@example.org" and person.roles == {Role.PUBLIC}
    assert person.display_name == "A member of the public" and person.awaits_confirmation
    [message] = _mail(db, "pat@example.org")
    assert message.subject == "Confirm your email address" and "/register/confirm/" in message.body_text
    confirmed = registration.confirm_email(_token_from(message))
    assert confirmed.id == person.id and not confirmed.awaits_confirmation


def test_a_confirmation_link_works_once_and_expires(partnership, db):
    registration.register("once@example.org", "parent_or_carer", PASSWORD)
    token = _token_from(_mail(db, "once@example.org")[0])
    registration.confirm_email(token)
    with pytest.raises(DomainError):
        registration.confirm_email(token)
    registration.register("late@example.org", "parent_or_carer", PASSWORD)
    late = _token_from(_mail(db, "late@example.org")[0])
    with pytest.raises(DomainError):
        registration.confirm_email(late, now=utcnow() + timedelta(hours=25))
    row = db.session.execute(select(AccountToken).where(AccountToken.purpose == "email_confirmation",
                                                        AccountToken.used_at.is_(None))).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(DomainError):
        registration.confirm_email(late)


def test_sending_the_link_again_cancels_the_earlier_one(partnership, db):
    registration.register("again@example.org", "parent_or_carer", PASSWORD)
    first = _token_from(_mail(db, "again@example.org")[0])
    registration.resend_confirmation("again@example.org")
    second = _token_from(_mail(db, "again@example.org")[1])
    with pytest.raises(DomainError):
        registration.confirm_email(first)
    assert not registration.confirm_email(second).awaits_confirmation
    registration.resend_confirmation("again@example.org")  # confirmed: nothing more is sent
    registration.resend_confirmation("nobody@example.org")
    assert len(_mail(db, "again@example.org")) == 2 and not _mail(db, "nobody@example.org")


def test_an_address_with_an_account_gets_an_email_not_a_second_account(partnership, db, make_person):
    practitioner = make_person(Role.PRACTITIONER, email="priya@example.org")
    assert registration.register("PRIYA@example.org", "member_of_public", PASSWORD) is None
    [message] = _mail(db, "priya@example.org")
    assert message.subject == "You already have an account" and "/register/confirm/" not in message.body_text
    assert practitioner.roles == {Role.PRACTITIONER}
    assert db.session.execute(select(Person).where(Person.email == "priya@example.org")).scalars().all() \
        == [practitioner]


@pytest.mark.parametrize("email, kind, password, field", [
    ("", "parent_or_carer", PASSWORD, "email"),
    ("not-an-address", "parent_or_carer", PASSWORD, "email"),
    ("ok@example.org", "grandparent", PASSWORD, "kind"),
    ("ok@example.org", "parent_or_carer", "short", "password"),
])
def test_registration_checks_its_input(partnership, email, kind, password, field):
    with pytest.raises(DomainError) as error:
        registration.register(email, kind, password)
    assert error.value.field == field


def test_the_unconfirmed_cannot_take_part(partnership, db, make_consultation):
    consultation = make_consultation(audiences=["public"])
    person = registration.register("wait@example.org", "parent_or_carer", PASSWORD)
    with pytest.raises(NotAllowed, match="Confirm your email address"):
        consultations.post_comment(person, consultation, "Please think about parents")


def test_the_publics_comments_wait_for_a_moderator_and_keep_to_the_partnership(parent, make_consultation):
    consultation = make_consultation(audiences=["public"])
    comment = consultations.post_comment(parent, consultation, "More help for parents, please")
    assert comment.status == CommentStatus.PENDING.value and comment.author_audience == "public"
    assert comment.publish_use == "partnership"  # the narrower default, as for young people


def test_the_publics_words_are_screened_by_the_signal_list(parent, db, make_consultation):
    consultation = make_consultation(audiences=["public"])
    comment = consultations.post_comment(parent, consultation, "My neighbour's boy says his dad hits me and him")
    assert comment.flagged and comment.status == CommentStatus.CONCERN.value
    concern = db.session.execute(select(SafeguardingConcern)).scalar_one()
    assert concern.comment_id == comment.id and concern.source == "signal"


def test_the_public_take_part_only_where_a_consultation_is_open_to_them(parent, make_consultation):
    closed_to_them = make_consultation(audiences=["practitioners", "young_people"])
    with pytest.raises(NotAllowed):
        consultations.post_comment(parent, closed_to_them, "Hello")


def test_unconfirmed_registrations_are_anonymised_after_a_week(partnership, db, parent):
    waiting = registration.register("never@example.org", "member_of_public", PASSWORD)
    assert apply_retention(now=utcnow() + timedelta(days=6))["unconfirmed_registrations_anonymised"] == 0
    counts = apply_retention(now=utcnow() + timedelta(days=8))
    assert counts["unconfirmed_registrations_anonymised"] == 1
    db.session.expire_all()
    assert waiting.email is None and waiting.erased_at is not None and parent.erased_at is None
    assert waiting.display_name == "A member of the public"  # their only name, identifying nobody
    assert registration.register("never@example.org", "member_of_public", PASSWORD) is not None  # free again


def test_what_we_hold_about_a_member_of_the_public(parent):
    account = subject_access(parent)["account"]
    assert account["email"] == "parent@example.org" and account["roles"] == ["public"]
    assert account["display_name"] == "A parent or carer" and account["email_confirmed_at"]


def test_only_confirmed_addresses_hear_that_a_consultation_opened(partnership, db, parent, make_consultation):
    registration.register("unconfirmed@example.org", "member_of_public", PASSWORD)
    consultation = make_consultation(audiences=["public"])
    assert [m.subject for m in _mail(db, "parent@example.org")][-1].endswith(consultation.title)
    assert all(not m.subject.endswith(consultation.title) for m in _mail(db, "unconfirmed@example.org"))
    body = _mail(db, "parent@example.org")[-1].body_text
    assert body.startswith("Hello,") and "A parent or carer" not in body


def test_erasing_a_member_of_the_public_keeps_only_their_label(parent, db, make_consultation, facilitator):
    from app.privacy.services import ERASED_MARKER, erase_person

    comment = consultations.post_comment(parent, make_consultation(audiences=["public"]), "Our family's story")
    erase_person(facilitator, parent)
    db.session.expire_all()
    assert parent.email is None and parent.display_name == "A parent or carer"
    assert comment.body == ERASED_MARKER


def test_the_facilitator_finds_the_erasure_request_on_the_people_list(parent, client, login, facilitator):
    login(facilitator)
    html = client.get("/admin/people").get_data(as_text=True)
    assert "A parent or carer (registered themselves)" in html and f"/admin/people/{parent.id}/erase" in html
    assert client.get(f"/admin/people/{parent.id}").status_code == 404  # their role is not the facilitator's to give


def test_an_edit_by_the_public_is_checked_again_and_screened(parent, db, make_consultation, facilitator):
    from app.moderation import services as moderation

    comment = consultations.post_comment(parent, make_consultation(audiences=["public"]), "Good plan")
    moderation.approve(facilitator, comment)
    consultations.edit_comment(parent, comment, "Good plan, but nobody looks after me at home")
    assert comment.status == CommentStatus.CONCERN.value  # held from everyone, and the DSL is told
