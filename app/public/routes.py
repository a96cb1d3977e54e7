"""Published arrangements: public pages, no sign-in."""
from flask import Blueprint, abort, jsonify, render_template

from app.public import services
from app.responses import services as responses
from app.scrutiny import services as scrutiny
from app.signoff import assertions
from app.suggestions import queries as suggestions
from app.trail import signing

bp = Blueprint("public", __name__)


@bp.route("/arrangements")
def index():
    from app.partnerships.services import current_partnership

    return render_template("public/index.html", publications=services.latest_publications(),
                           partnership=current_partnership())


def _render(publication):
    if publication is None:
        abort(404)
    consultation, items, counts = services.you_said_we_did(publication)
    return render_template("public/arrangement.html", publication=publication, version=publication.version,
                           draft=publication.version.draft, signatures=services.signatures(publication),
                           consultation=consultation, items=items, counts=counts,
                           released=scrutiny.released_findings(consultation),
                           titles=responses.section_titles(consultation),
                           versions=services.publications_of(publication.slug),
                           latest=services.publication(publication.slug),
                           log_keys={"origin": signing.origin(), "current": signing.verifier_key()},
                           passkey_signatures=assertions.by_signoff(publication),  # issue 20, part 5
                           **suggestions.report_part(consultation, publication.version, sees_drafts=False, public=True))


@bp.route("/arrangements/<slug>")
def arrangement(slug):
    return _render(services.publication(slug))


@bp.route("/arrangements/<slug>/v/<int:number>")
def version(slug, number):
    return _render(services.publication(slug, number))


@bp.route("/arrangements/<slug>/v/<int:number>/record.json")
def record(slug, number):
    """Everything needed to check this version without trusting the portal (issue 20, part 6); no sign-in."""
    from app.public.record import NoRecord, record as build

    publication = services.publication(slug, number)
    if publication is None:
        abort(404)
    try:
        body = build(publication)
    except NoRecord as error:
        return f"This record cannot be checked yet: {error}\n", 404, {"Content-Type": "text/plain; charset=utf-8"}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"  # today's checkpoint moves on
    return response
