"""Template filters that put data into words."""
import pytest

from app import words_and


@pytest.mark.parametrize("items, said", [([], ""), (["Hartlepool"], "Hartlepool"),
                                         (["Hartlepool", "Stockton-on-Tees"], "Hartlepool and Stockton-on-Tees"),
                                         (["Bath", "Bristol", "Somerset"], "Bath, Bristol and Somerset")])
def test_a_list_is_said_as_a_sentence_says_it(items, said):
    assert words_and(items) == said
