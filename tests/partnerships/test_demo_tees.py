"""The second demo shape, Hartlepool and Stockton-on-Tees, loads through the services (flask demo-data --shape)."""
from sqlalchemy import func, select

from app.accounts.services import find_by_login
from app.consultations.models import Comment, Consultation
from app.extensions import db as _db
from app.partnerships.services import coverage_gaps, current_partnership
from app.signoff.services import authority_of
from tests.fixtures.consultations import assert_log_verifies


def test_the_hartlepool_and_stockton_shape(app, runner):
    result = runner.invoke(args=["demo-data", "--shape", "hartlepool-stockton"])
    assert result.exit_code == 0 and "hartlepool-stockton" in result.output, result.output
    partnership = current_partnership()
    assert partnership.slug == "hartlepool-stockton"
    assert [a.name for a in partnership.areas] == ["Hartlepool", "Stockton-on-Tees"]
    covers = {p.name: (p.kind, [a.name for a in p.areas]) for p in partnership.statutory_partners}
    assert covers == {
        "Hartlepool Borough Council": ("local_authority", ["Hartlepool"]),
        "Stockton-on-Tees Borough Council": ("local_authority", ["Stockton-on-Tees"]),
        "Cleveland Police": ("police", ["Hartlepool", "Stockton-on-Tees"]),
        "North East and North Cumbria ICB": ("icb", ["Hartlepool", "Stockton-on-Tees"]),
    }
    assert coverage_gaps(partnership) == []
    leads = [find_by_login(f"{who}.lead@tees.demo.test") for who in ("hartlepool", "stockton", "police", "icb")]
    assert len({authority_of(lead).partner_id for lead in leads}) == 4
    delegate = authority_of(find_by_login("police.delegate@tees.demo.test"))
    assert delegate.partner_id == authority_of(leads[2]).partner_id and not delegate.is_lead
    consultation = _db.session.execute(select(Consultation)).scalar_one()
    assert consultation.state == "open"
    assert _db.session.scalar(select(func.count(Comment.id))) == 4
    assert_log_verifies()
    again = runner.invoke(args=["demo-data", "--shape", "hartlepool-stockton"])
    assert "nothing changed" in again.output
    assert _db.session.scalar(select(func.count(Comment.id))) == 4


def test_the_shape_comes_from_the_demo_variable_too(app, runner):
    result = runner.invoke(args=["demo-data"], env={"DEMO": "hartlepool-stockton"})
    assert result.exit_code == 0, result.output
    assert current_partnership().slug == "hartlepool-stockton"


def test_an_unknown_shape_is_refused(app, runner):
    result = runner.invoke(args=["demo-data", "--shape", "nowhere"])
    assert result.exit_code != 0 and current_partnership() is None
