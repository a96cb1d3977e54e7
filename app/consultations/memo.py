"""The consultation page shared by kind of reader (issue 15, memo; app/fragments.py, remember_shared_page).

A page is drawn once per (its consultation's version, the partnership's version, the kind of reader) and served
to every reader of that kind with their own parts filled in. The kind is everything the drawing depends on about
the reader: their access to the consultation without their id (app/consultations/queries.Access), the comments
they see (app/access.comments_seen), their roles (the navigation, the worried link), whether they still have to
confirm their email, and their organisation where it may send a formal response. A reader whose page shows
content of their own — a comment of theirs in any status (held for a moderator, under a concern, withdrawn), a
formal-response draft they write, their support for a suggestion, their name in the public audience's notice —
gets a drawing of their own (is_personal). A published comment of theirs is a card like anyone's in the shared drawing, drawn as others of
their kind see it; the reader who wrote it gets that card drawn for them instead ("(you)", edit, withdraw, the
receipt: page_filler), and a drawing made by an author of a comment it shows is kept for them alone. Nothing of
theirs is ever drawn into a page another person is served.
"""
from dataclasses import astuple, replace

from sqlalchemy import Boolean, bindparam, exists, or_, select

from app.access import comments_seen
from app.consultations.models import Comment, Vote
from app.extensions import db

_OWN_CONTENT = None


def _own_content_statement():
    """One statement: has this person, in this consultation, a comment only they (of their kind) see — waiting for
    a moderator, under a concern, hidden or withdrawn — or any comment once it has closed (their answers), a
    formal-response draft they write, or their support for a suggestion ("(you support it)" on its card)?"""
    global _OWN_CONTENT
    if _OWN_CONTENT is None:
        from app.org_responses.models import OrgResponse, OrgResponseAuthor
        from app.suggestions.models import Suggestion, SuggestionSupport

        consultation, person = bindparam("consultation_id"), bindparam("person_id")
        _OWN_CONTENT = select(or_(
            exists().where(Comment.consultation_id == consultation, Comment.author_id == person,
                           or_(Comment.status != "published", bindparam("closed", type_=Boolean))),
            exists().where(OrgResponse.consultation_id == consultation, or_(
                OrgResponse.lead_id == person, OrgResponse.id.in_(
                    select(OrgResponseAuthor.org_response_id).where(OrgResponseAuthor.person_id == person)))),
            exists().where(SuggestionSupport.person_id == person, SuggestionSupport.withdrawn_at.is_(None),
                           SuggestionSupport.suggestion_id == Suggestion.id,
                           Suggestion.consultation_id == consultation)))
    return _OWN_CONTENT


def is_personal(person, consultation, access):
    """Whether this reader's page shows content of their own beyond their published comments (which the drawing
    itself tells: app/fragments.py, remember_shared_page), or their name (the public audience's notice)."""
    return access.audience == "public" or bool(db.session.execute(_own_content_statement(), {
        "consultation_id": consultation.id, "person_id": person.id, "closed": access.state == "closed"}).scalar())


def reader_kind(person, consultation, access):
    """A tuple of plain values: readers with equal kinds may be served the same drawing."""
    from app.org_responses.services import may_lead

    seen = comments_seen(access)
    return (astuple(replace(access, person_id=0)),
            tuple(sorted(seen.statuses)), tuple(sorted(seen.text_statuses)),
            tuple(sorted(role.value for role in person.roles)), bool(person.awaits_confirmation),
            person.partnership_id, person.organisation_id if may_lead(person, consultation) else None)


_AUTHORS = select(Comment.id, Comment.author_id).where(Comment.id.in_(bindparam("ids", expanding=True)))


def authors_of(comment_ids):
    """{comment id: author id} of the comments a drawing shows, in one statement."""
    if not comment_ids:
        return {}
    return dict(db.session.execute(_AUTHORS, {"ids": sorted(comment_ids)}).all())


_SECTIONS = None
_MY_VOTES = select(Vote).where(Vote.consultation_id == bindparam("consultation_id"),
                               Vote.person_id == bindparam("person_id"))


_SECTIONS_KEPT = {}


def _sections_of(version_id, partnership_version):
    """{id: section} of a draft version, kept per process while the partnership's version (which sections move)
    stays: objects of their columns alone, in no session (all a vote form reads)."""
    key = (version_id, partnership_version)
    kept = _SECTIONS_KEPT.get(key)
    if kept is None:
        global _SECTIONS
        from app.drafts.models import Section

        from sqlalchemy import inspect as sa_inspect

        columns = [attr.key for attr in sa_inspect(Section).column_attrs]
        if _SECTIONS is None:  # built once; the sections' own columns only, as rows (nothing joins the session)
            _SECTIONS = select(*(getattr(Section, key).label(key) for key in columns)).where(
                Section.version_id == bindparam("version_id"))
        rows = db.session.execute(_SECTIONS, {"version_id": version_id}).mappings().all()
        kept = {row["id"]: Section(**{key: row[key] for key in columns}) for row in rows}
        if len(_SECTIONS_KEPT) > 64:
            _SECTIONS_KEPT.clear()
        _SECTIONS_KEPT[key] = kept
    return kept


def page_filler(consultation, access, vote_forms_for, versions):
    """fill(name, arg) for the page's holes: the reader's own votes (in one statement when first needed), and
    fill("cards", {(kind, id)}) the cards ("card") or collapsed threads ("head") of the comments they wrote among
    those drawn, as drawn for them: {(kind, id): html}."""
    from app.consultations.queries import comment_views
    from app.fragments import comment_card, thread_head, vote_form, vote_form_key

    state = {}

    def fill(name, arg):
        if name == "cards":
            views = comment_views(consultation, access, {id_ for _kind, id_ in arg})
            return {(kind, id_): (thread_head if kind == "head" else comment_card)(views[id_], access)
                    for kind, id_ in arg if id_ in views}
        if name != "vote":
            raise KeyError(name)
        if not state:
            sections = _sections_of(consultation.version_id, versions[1])
            mine = {v.section_id: v for v in db.session.execute(
                _MY_VOTES, {"consultation_id": consultation.id, "person_id": access.person_id}).scalars()} \
                if access.can_take_part else {}
            state.update(sections=sections, mine=mine, forms=vote_forms_for(list(sections.values()), mine),
                         key=vote_form_key(consultation, access))
        section = state["sections"][int(arg)]
        return vote_form(consultation, access, section, state["forms"][section.id], state["mine"].get(section.id),
                         state["key"])

    return fill


_VERSIONED = None


def _versioned_statement():
    """The consultation (with its version and draft, as load_consultation loads it) and the versions of its scope
    and the partnership's, in one statement: what the page shows is read no earlier than the versions it is kept
    under (one snapshot on SQLite; on PostgreSQL each later statement sees at least these commits)."""
    global _VERSIONED
    if _VERSIONED is None:
        from sqlalchemy.orm import joinedload

        from app.consultations.models import Consultation
        from app.database import DataScopeVersion
        from app.drafts.models import DraftVersion

        _VERSIONED = (select(Consultation, DataScopeVersion.of(bindparam("scope")), DataScopeVersion.of("p"))
                      .options(joinedload(Consultation.version).joinedload(DraftVersion.draft),
                               joinedload(Consultation.audiences))
                      .where(Consultation.id == bindparam("consultation_id")))
    return _VERSIONED


_VERSIONS_ONLY = None


def still_current(consultation_id, versions):
    """Whether nothing the page shows changed while it was drawn (PostgreSQL reads each statement afresh)."""
    global _VERSIONS_ONLY
    from app.database import DataScopeVersion

    if _VERSIONS_ONLY is None:
        _VERSIONS_ONLY = select(DataScopeVersion.of(bindparam("scope")), DataScopeVersion.of("p"))
    row = db.session.execute(_VERSIONS_ONLY, {"scope": DataScopeVersion.consultation_scope(consultation_id)}).one()
    return tuple(row) == tuple(versions)


def load_with_versions(consultation_id):
    """(consultation, access, versions) as app.access.load_consultation(need="read") answers them (404 if not the
    reader's partnership's, 403 if they may not read it), the consultation read in one statement with its versions."""
    from flask import abort
    from flask_login import current_user

    from app.access import require
    from app.consultations.queries import access_for
    from app.database import DataScopeVersion

    row = db.session.execute(_versioned_statement(), {
        "consultation_id": consultation_id, "scope": DataScopeVersion.consultation_scope(consultation_id)}
    ).unique().one_or_none()
    if row is None or row[0].partnership_id != current_user.partnership_id:
        abort(404)
    consultation = row[0]
    access = access_for(current_user, consultation)
    require(access, "read")
    return consultation, access, (row[1], row[2])
