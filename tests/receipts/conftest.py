import pytest


@pytest.fixture
def app_config():
    """Receipt emails on (TestConfig turns them off for the other rooms' email-counting tests)."""
    return {"RECEIPT_EMAILS": True}
