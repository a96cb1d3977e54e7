"""The safe Markdown subset: whatever a draft's text holds, no script, style, image or unsafe link reaches a page."""
import pytest

from app.drafts.markdown import render_markdown


def test_the_allowed_subset_renders_with_govuk_classes():
    html = render_markdown("## Heading\n\nSome **bold**, *italic* and [a link](https://example.org).\n\n"
                           "- one\n- two\n\n1. first\n2. second")
    assert '<h3 class="govuk-heading-s">Heading</h3>' in html  # nested below the section's own <h2>
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert '<a class="govuk-link" href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and '<ol class="govuk-list govuk-list--number">' in html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Text <script src=https://evil.test/x.js></script> more",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    '<div style="position:fixed">raw block</div>',
    '<iframe src="https://evil.test"></iframe>',
    "<style>body{display:none}</style>",
])
def test_raw_html_is_shown_as_text(source):
    html = render_markdown(source)
    for tag in ("<script", "<img", "<div", "<iframe", "<style", "<a href=\"javascript"):
        assert tag not in html
    assert "&lt;" in html  # the writer's angle brackets are shown, not obeyed


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
])
def test_unsafe_links_are_not_links(source):
    html = render_markdown(source).lower()
    assert "href=\"javascript" not in html and "href=\"vbscript" not in html and "href=\"data:" not in html


@pytest.mark.parametrize("source", ["![a picture](https://example.org/tracker.png)",
                                    '![x](https://example.org/x.png "title")'])
def test_images_are_not_shown(source):
    assert "<img" not in render_markdown(source)


def test_headings_beyond_the_subset_keep_their_words_only():
    html = render_markdown("# Big title\n\nText")
    assert "<h1" not in html and "Big title" in html


def test_empty_and_none_render_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_headings_inside_a_section_nest_below_the_section_title_keeping_their_distances():
    html = render_markdown("# Purpose\n\ntext\n\n### Detail\n\nmore\n\n## Members")
    assert "<h3" in html and "Purpose</h3>" in html
    assert "Detail</h5>" in html and "Members</h4>" in html
    assert "<h1" not in html and "<h2" not in html
    assert "Deep</h6>" in render_markdown("# A\n\n###### Deep")  # capped at h6


def test_readable_text_drops_markdowns_marks_for_compare_views():
    from app.drafts.markdown import readable_text

    text = readable_text("## Members\n\nThe **group** meets [monthly](https://x.org).\n\n- Police\n- Health")
    assert text == "Members\n\nThe group meets monthly.\n\n• Police\n• Health"
    assert "#" not in text and "**" not in text and "](" not in text
