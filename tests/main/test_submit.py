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
