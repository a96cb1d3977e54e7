"""One app-wide handler turns a domain error no view caught into its own status, never a 500 (issue 14)."""
import pytest

from app.errors import DomainError, NotAllowed, NotFound


@pytest.mark.parametrize("error, status", [(NotAllowed("Not yours"), 403), (NotFound("No such thing"), 404),
                                           (DomainError("Already decided"), 409)])
def test_an_uncaught_domain_error_is_its_status_page(app, client, error, status):
    def view():
        raise error

    app.add_url_rule(f"/raises-{status}", f"raises_{status}", view)
    response = client.get(f"/raises-{status}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "<html" in html and error.message in html and 'class="govuk-' in html
