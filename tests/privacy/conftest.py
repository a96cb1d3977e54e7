"""Personal data fixtures: the consultation factories of tests/consultations (a published draft, an open
consultation, and its people)."""
from tests.consultations.conftest import (  # noqa: F401  (fixtures)
    consultation, make_consultation, make_version, practitioner, scrutineer, sections, vcs, young,
)
