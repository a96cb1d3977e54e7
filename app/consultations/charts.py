"""The geometry of a section's vote chart: a server-drawn SVG (no inline styles, so the CSP holds)."""
from dataclasses import dataclass

from app.accounts.models import Audience
from app.consultations.models import VoteChoice

# Narrow, with each audience's name above its bar, so the chart is drawn near its natural size on a 320 px phone
# and its words stay at least 14 px high (it never scales up: the SVG's width is WIDTH, capped at 100 %).
WIDTH = 300
LABEL_WIDTH = 0
BAR_MAX = 250
BAR_HEIGHT = 16
LABEL_HEIGHT = 18
ROW = LABEL_HEIGHT + BAR_HEIGHT + 8
FONT_SIZE = 15
# Colours with at least 3:1 contrast against white; every bar also carries its number as text.
FILLS = {"practitioners": "#1d70b8", "voluntary_and_community": "#0b5e57", "young_people": "#6f3b8c",
         "public": "#6b2c00"}


@dataclass
class Bar:
    y: int
    width: int
    count: int
    label: str
    fill: str

    @property
    def text_x(self):
        return self.width + 6

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 2

    @property
    def label_y(self):
        return self.y - 5


@dataclass
class Group:
    y: int
    label: str
    bars: list


@dataclass
class Chart:
    height: int
    groups: list
    description: str
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    font_size: int = FONT_SIZE


def audience_label(value):
    try:
        return Audience(value).label
    except ValueError:
        return value


def vote_chart(tally):
    """Groups of bars (one group per choice, one bar per audience) scaled to the largest count."""
    largest = max([tally.count(c.value, a) for c in VoteChoice for a in tally.audiences] + [1])
    groups, y, sentences = [], 0, []
    for choice in VoteChoice:
        label_y, y = y + 17, y + 23
        bars = []
        for audience in tally.audiences:
            count = tally.count(choice.value, audience)
            bars.append(Bar(y=y + LABEL_HEIGHT, width=round(count * BAR_MAX / largest), count=count,
                            label=audience_label(audience), fill=FILLS.get(audience, "#505a5f")))
            y += ROW
        groups.append(Group(y=label_y, label=choice.label, bars=bars))
        parts = ", ".join(f"{bar.label} {bar.count}" for bar in bars)
        sentences.append(f"{choice.label}: {tally.count(choice.value)} in all ({parts}).")
        y += 6
    description = f"{tally.total} vote{'' if tally.total == 1 else 's'}. " + " ".join(sentences)
    return Chart(height=y, groups=groups, description=description)
