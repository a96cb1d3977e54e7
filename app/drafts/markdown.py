"""The safe Markdown subset drafts are written in, rendered and then sanitised.

Raw HTML in the source is shown as text (markdown-it's html option is off) and the
output passes through nh3 with a short allow-list, so a draft can never carry a
script, a style or an image into anyone's page.
"""
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a", "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
}


def render_markdown(source):
    """Markdown text -> sanitised HTML (Markup) styled with GOV.UK classes."""
    return Markup(_rendered(source or ""))


@lru_cache(maxsize=1024)
def _rendered(source):
    """A pure function of the text, so remembered: a consultation page shows the same frozen sections to everyone."""
    html = nh3.clean(_md.render(source or ""), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    for plain, styled in GOVUK_CLASSES.items():
        html = html.replace(plain, styled)
    return html
