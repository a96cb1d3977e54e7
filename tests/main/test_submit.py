"""app.forms.submit: the one path from a posted form to a service (issue 15)."""
import pytest
from flask_wtf import FlaskForm
from wtforms import StringField

from app.errors import DomainError, NotAllowed, NotFound
from app.forms import submit


class NameForm(FlaskForm):
    name = StringField("Name")

    class Meta:
        csrf = False


def _posted(app, data):
    return app.test_request_context("/", method="POST", data=data)


def test_a_valid_form_calls_the_service_and_hands_back_what_it_returned_even_none(app):
    with _posted(app, {"name": "Ann"}):
        form = NameForm()
        done = submit(form, lambda: None)
        assert done and done.value is None
        assert submit(form, lambda: form.name.data.upper()).value == "ANN"


def test_a_form_not_posted_does_not_call_the_service(app):
    calls = []
    with app.test_request_context("/"):
        assert submit(NameForm(), lambda: calls.append(1)) is None
    assert calls == []


def test_a_refused_rule_goes_on_the_field_it_names_or_on_the_form(app):
    def refuse(field):
        raise DomainError("That name is taken", field=field)

    with _posted(app, {"name": "Ann"}):
        form = NameForm()
        assert submit(form, lambda: refuse("name")) is None
        assert form.name.errors == ["That name is taken"]
        assert submit(form, lambda: refuse(None)) is None
        assert form.form_errors == ["That name is taken"]


@pytest.mark.parametrize("error", [NotAllowed, NotFound])
def test_not_allowed_and_not_found_are_no_form_errors_they_reach_the_error_page(app, error):
    with _posted(app, {"name": "Ann"}):
        form = NameForm()
        with pytest.raises(error):
            submit(form, lambda: (_ for _ in ()).throw(error("No")))
        assert not form.errors


def test_attempt_flashes_a_refused_rule_and_lets_not_allowed_through(app):
    """Buttons (no fields to mark) go through app.forms.attempt: the rule's words are flashed; NotAllowed and
    NotFound are not flashed but reach the 403/404 pages."""
    from flask import get_flashed_messages

    from app.errors import DomainError, NotAllowed, NotFound
    from app.forms import attempt

    def refuse(error):
        raise error

    with app.test_request_context("/"):
        assert attempt(lambda: 7).value == 7
        assert attempt(lambda: None)  # done, though the service returned nothing
        assert attempt(lambda: refuse(DomainError("Already published"))) is None
        assert attempt(lambda: refuse(DomainError("Already removed")), category="info") is None
        for error in (NotAllowed("no"), NotFound("gone")):
            with pytest.raises(type(error)):
                attempt(lambda: refuse(error))
        assert get_flashed_messages(with_categories=True) == [("error", "Already published"),
                                                               ("info", "Already removed")]
