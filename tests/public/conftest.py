"""The same factories as tests/responses."""
from tests.responses.conftest import *
