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

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "h5", "h6", "blockquote", "a", "code", "pre",
                "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<h5>": '<h5 class="govuk-heading-s">',
    "<h6>": '<h6 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
}


def render_markdown(source):
    """Markdown text -> sanitised HTML (Markup) styled with GOV.UK classes."""
    return Markup(_rendered(source or ""))


# Every page shows a section's title as an <h2>; headings written inside the section sit below it, whatever level
# the author typed: the shallowest becomes <h3>, and the rest keep their distance from it (capped at <h6>).
SECTION_HEADING_LEVEL = 2


def _nested_headings(tokens):
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if levels:
        shift = SECTION_HEADING_LEVEL + 1 - min(levels)
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return tokens


@lru_cache(maxsize=1024)
def _rendered(source):
    """A pure function of the text, so remembered: a consultation page shows the same frozen sections to everyone."""
    tokens = _nested_headings(_md.parse(source or ""))
    html = nh3.clean(_md.renderer.render(tokens, _md.options, {}), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    for plain, styled in GOVUK_CLASSES.items():
        html = html.replace(plain, styled)
    return html


def readable_text(source):
    """The text as a reader sees it, without Markdown's marks: for word-by-word compare views and diffs.

    Headings and paragraphs become lines separated by a blank line, list items start with "• " (or their number)
    on lines of their own, emphasis and link marks go and links keep their words. Raw Markdown never reaches a
    compare view.
    """
    blocks, line, prefix, numbers = [], [], "", []  # blocks: (text, tight) where tight = an item of a tight list
    for token in _md.parse(source or ""):
        if token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif token.type == "list_item_open":
            if numbers and numbers[-1] is not None:
                prefix, numbers[-1] = f"{numbers[-1]}. ", numbers[-1] + 1
            else:
                prefix = "• "
        elif token.type == "inline":
            line.append(prefix + "".join(
                child.content if child.type in ("text", "code_inline") else
                "\n" if child.type in ("softbreak", "hardbreak") else "" for child in token.children or []))
            prefix = ""
        elif token.type in ("code_block", "fence"):
            blocks.append((token.content.rstrip("\n"), False))
        elif token.type in ("paragraph_close", "heading_close") and line:
            blocks.append(("".join(line), token.hidden))
            line = []
    text = ""
    for index, (block, tight) in enumerate(blocks):
        if index:
            text += "\n" if tight and blocks[index - 1][1] else "\n\n"
        text += block
    return text
