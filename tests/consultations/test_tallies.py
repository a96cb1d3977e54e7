"""The counts the database keeps (migration 0006) always equal counting the rows, whoever changes them."""
from sqlalchemy import func, insert, literal_column, select, text, update

from app.consultations import queries, services
from app.consultations.models import Comment, CommentTally, Vote, VoteTally
from app.extensions import db as _db
from app.moderation import services as moderation

from tests.fixtures.consultations import assert_log_verifies


def _kept_comment_tallies():
    return {(c, s, st): n for c, s, st, n in _db.session.execute(
        select(CommentTally.consultation_id, CommentTally.slot, CommentTally.status, CommentTally.n)
        .where(CommentTally.n != 0))}


def _counted_comment_tallies():
    slot = func.coalesce(Comment.section_id, literal_column("0"))
    return {(c, s, st): n for c, s, st, n in _db.session.execute(
        select(Comment.consultation_id, slot, Comment.status, func.count()).where(Comment.depth == 0)
        .group_by(Comment.consultation_id, slot, Comment.status))}


def _kept_vote_tallies():
    return {(s, c, a): n for s, c, a, n in _db.session.execute(
        select(VoteTally.section_id, VoteTally.choice, VoteTally.audience, VoteTally.n).where(VoteTally.n != 0))}


def _counted_vote_tallies():
    audience = func.coalesce(Vote.audience, literal_column("''"))
    return {(s, c, a): n for s, c, a, n in _db.session.execute(
        select(Vote.section_id, Vote.choice, audience, func.count()).group_by(Vote.section_id, Vote.choice, audience))}


def _assert_tallies_match():
    _db.session.expire_all()
    assert _kept_comment_tallies() == _counted_comment_tallies()
    assert _kept_vote_tallies() == _counted_vote_tallies()


def test_comment_tallies_follow_posts_moderation_withdrawals_and_direct_sql(consultation, practitioner, vcs,
                                                                             young, facilitator, sections):
    first = services.post_comment(practitioner, consultation, "On the whole draft")
    on_section = services.post_comment(vcs, consultation, "On a section", section=sections[0])
    services.reply(vcs, first, "A reply is not a thread")
    pending = services.post_comment(young, consultation, "Waiting for a moderator", section=sections[1])
    _assert_tallies_match()
    assert _kept_comment_tallies()[(consultation.id, 0, "published")] == 1
    assert _kept_comment_tallies()[(consultation.id, sections[1].id, "pending")] == 1

    moderation.approve(facilitator, pending)
    moderation.hide(facilitator, on_section, "off_topic")
    services.withdraw_comment(practitioner, first)
    _assert_tallies_match()
    moderation.restore(facilitator, on_section, "Back on topic after all")
    _assert_tallies_match()

    # Rows written around the services (a bulk load, a data fix) are counted too.
    _db.session.execute(insert(Comment), [dict(consultation_id=consultation.id, section_id=sections[2].id, depth=0,
                                               author_id=practitioner.id, status="published", body=f"Bulk {n}")
                                          for n in range(5)])
    _db.session.execute(update(Comment).where(Comment.body == "Bulk 0").values(status="hidden"))
    _db.session.commit()
    _assert_tallies_match()
    assert_log_verifies()


def test_vote_tallies_follow_new_and_changed_votes(consultation, practitioner, vcs, young, sections):
    services.cast_vote(practitioner, consultation, sections[0], "support")
    services.cast_vote(vcs, consultation, sections[0], "oppose")
    services.cast_vote(young, consultation, sections[1], "support_with_changes")
    services.cast_vote(practitioner, consultation, sections[0], "oppose")  # a changed vote moves, not adds
    _assert_tallies_match()
    tally = queries.tallies(consultation, [s.id for s in sections])[sections[0].id]
    assert tally.count("oppose") == 2 and tally.count("support") == 0 and tally.total == 2
    _db.session.execute(text("DELETE FROM vote WHERE person_id = :p"), {"p": vcs.id})
    _db.session.commit()
    _assert_tallies_match()
    assert queries.tallies(consultation, [sections[0].id])[sections[0].id].total == 1


def test_thread_totals_are_what_each_viewer_can_see(consultation, practitioner, vcs, young, facilitator,
                                                    scrutineer, sections):
    services.post_comment(practitioner, consultation, "Seen by all")
    hidden = services.post_comment(vcs, consultation, "Hidden later")
    services.post_comment(young, consultation, "My own, waiting")
    moderation.hide(facilitator, hidden, "off_topic")

    def totals(person):
        return queries.thread_totals(consultation, queries.access_for(person, consultation)).get(None, 0)

    def counted(person):  # what the pages list for this viewer, counted the slow way
        access = queries.access_for(person, consultation)
        return _db.session.scalar(select(func.count()).where(Comment.consultation_id == consultation.id,
                                                             Comment.depth == 0, queries._visible(access)))

    for person, expected in ((practitioner, 1), (vcs, 2), (young, 2), (facilitator, 3), (scrutineer, 3)):
        assert totals(person) == counted(person) == expected, person.display_name
