"""Demo drafts, written from the public council papers the portal grew from (North Somerset and Havering, 2019).

`load_demo_drafts(partnership, facilitator)` makes them through the services, so every step is in the
consultation log. Running it again finds the drafts by title and changes nothing.
"""
import re

from sqlalchemy import select

from app.drafts import services
from app.drafts.models import DraftArrangement, Topic
from app.extensions import db

T = Topic

# --- North Somerset: "Proposed working groups" (report to the Children and Young People Services Policy and
# Scrutiny Panel, 20 June 2019). Each entry: title, body (Markdown), plain-language summary, topics.
WORKING_GROUPS_V1 = [
    ("Early Intervention", """\
The Early Intervention group would make sure that children and families get help **as soon as problems start to
appear**, not only when they reach the threshold for statutory services.

It would:

- bring together early help from the council, health services, the police and the voluntary sector;
- look at how easy it is for families to find and use early help, and where they fall through the gaps;
- support the early identification and analysis of new safeguarding issues and emerging threats.

The group would report to the Safeguarding Children Group, which meets four times a year.""",
     "This group makes sure children and families get help early, before problems get worse. It brings together "
     "people from health, the police, the council and charities.",
     [T.WORKING_TOGETHER]),

    ("Domestic abuse", """\
The Domestic abuse group would lead the partnership's work for children who live with domestic abuse.

It would:

- make sure information about domestic abuse incidents is shared quickly between the police, health services and
  children's social care;
- oversee the services that support children and the adults who are being abused;
- link with the North Somerset Community Safety Partnership, which leads on domestic abuse for adults.""",
     "Some children live in homes where one adult hurts another. This group makes sure those children are noticed "
     "and get support.",
     [T.WORKING_TOGETHER, T.RELEVANT_AGENCIES]),

    ("Quality Assurance", """\
The Quality Assurance group would check how well agencies keep children safe, and challenge them when they fall
short. It would link to the **Avon and Somerset independent scrutiny arrangements**.

It would:

- look at performance data from every partner, and multi-agency audits of real cases;
- listen to what children, young people and families tell us about the help they got;
- report to the Executive Group, so that organisations challenge appropriately and hold one another to account.""",
     "This group checks whether the people who are meant to keep children safe are doing a good job. It looks at "
     "facts and figures and asks families what they think.",
     [T.USE_OF_DATA, T.INDEPENDENT_SCRUTINY]),

    ("Workforce development", """\
The Workforce development group would plan **multi-agency training** for everyone who works with children and
families in North Somerset, linked to the training work across Avon and Somerset.

Learning from reviews and audits would be built into the training, so that local services become more reflective
and change their practice.""",
     "This group plans training, so that teachers, nurses, police officers and social workers learn together how to "
     "keep children safe.",
     [T.TRAINING]),

    ("Communications", """\
The Communications group would tell practitioners, families and the public what the partnership does and what it
has learned. It would link to the Avon and Somerset-wide communications group.

The minutes of the Executive Group and of the Safeguarding Children Group would be published.""",
     "This group tells people what the partnership is doing, in ways that are easy to find and understand.",
     [T.WORKING_TOGETHER]),

    ("Children and Young People's group", """\
We need to work with children and young people so that the new arrangements build on the successful sub-group work
done so far. The Children and Young People's group would make sure that **all children and young people have a
voice with influence**.

It would:

- meet with the North Somerset Youth Council and the Children in Care Council;
- ask young people to help set the partnership's priorities;
- tell young people what changed because of what they said.""",
     "This group makes sure young people are listened to. You can help decide what the partnership works on, and we "
     "will tell you what changed because of what you said.",
     [T.WORKING_TOGETHER]),

    ("Serious Case Reviews", """\
The Serious Case Reviews group would decide when a case must be reviewed, commission the review and make sure the
lessons are learned by every agency.

There will be a 12-month period after the new arrangements start for the Local Safeguarding Children Board to
complete and publish any outstanding Serious Case Reviews (there are none in North Somerset).""",
     "When a child is badly hurt, this group looks at what went wrong and what everyone must do differently.",
     [T.PRACTICE_REVIEWS]),
]

# Version 2, after the workshop on 3 June 2019: (old title, new title or None, new body or None, summary or None,
# topics or None). Sections keep their place, so compare shows them as changed.
WORKING_GROUPS_V2_CHANGES = [
    ("Early Intervention", None, None, None, [T.WORKING_TOGETHER, T.EDUCATION_SETTINGS]),
    ("Domestic abuse", None, """\
The Domestic abuse group would lead the partnership's work for children who live with domestic abuse, or who are
harmed by abuse in their own relationships as teenagers.

It would:

- make sure the police tell a child's school about a domestic abuse incident before the next school day, so that
  someone there can look out for the child;
- oversee the services that support children and the adults who are being abused;
- work jointly with the North Somerset Community Safety Partnership, rather than run a separate group;
- hear from children and young people who have lived with domestic abuse about what helped them.""",
     "Some children live in homes where one adult hurts another. This group makes sure those children are noticed "
     "and get support. It will also help young people who are hurt by a boyfriend or girlfriend.",
     None),
    ("Serious Case Reviews", "Local child safeguarding practice reviews", """\
From 29 September 2019, serious case reviews are replaced by **local child safeguarding practice reviews**.

The group would:

- look at every serious incident notified to the national Child Safeguarding Practice Review Panel, and carry out
  a rapid review within 15 working days;
- recommend to the three safeguarding partners whether a local review is needed, and commission it;
- make sure reviews are published, and that every agency acts on what they found.

Any serious case reviews begun by the Local Safeguarding Children Board will be completed within 12 months.""",
     "When a child is badly hurt, this group looks at what went wrong, tells everyone what must change, and checks "
     "that it does.",
     None),
]

# --- "Thematic groups": the shape of Havering's paper (seed 003), told as North Somerset's, where the demo lives.
THEMATIC_GROUPS_V1 = [
    ("Adolescent Safeguarding", """\
North Somerset, Bristol and South Gloucestershire share common risks for children and young people, such as
**adolescent safeguarding** and child neglect. The Adolescent Safeguarding group would lead a joined-up response
across the three council areas, while keeping a local focus on North Somerset's priorities.

It would oversee the work on exploitation, young people who go missing, and serious youth violence, with the
Avon and Somerset Constabulary and the youth offending service.""",
     "This group works on the dangers that affect teenagers most, like being pressured into crime or going missing.",
     [T.WORKING_TOGETHER, T.RELEVANT_AGENCIES]),

    ("Quality and Effectiveness", """\
The Quality and Effectiveness group would check how well the partnership keeps children safe.

Over the first nine months, the council, the police and the integrated care board will align
their processes for:

1. audit and learning reviews;
2. monitoring of performance data;
3. training.""",
     "This group checks whether the partnership is doing a good job, using facts and figures and what people tell it.",
     [T.USE_OF_DATA, T.TRAINING]),

    ("Schools and Learners", """\
The Schools and Learners group would make sure schools, colleges and early years settings are part of the
arrangements, and that what they see every day informs the partnership's priorities.""",
     "Schools and colleges see children every day. This group makes sure they help decide how children are kept safe.",
     [T.EDUCATION_SETTINGS]),

    ("Case Review Group", """\
The Case Review Group would consider serious incidents, recommend when a local child safeguarding practice review
is needed, and make sure learning is shared. It would work with the Child Death Overview Panel arrangements shared
across Bristol, North Somerset and South Gloucestershire.""",
     "When something goes badly wrong for a child, this group finds out why and makes sure everyone learns from it.",
     [T.PRACTICE_REVIEWS]),

    ("Independent scrutiny", """\
The partnership will commission an **independent person** to scrutinise the arrangements.

The scrutineer will review the performance, challenge and work plan of the partnership, and talk with
stakeholders, particularly children, young people and their families.

The first year will be a *shadow year*: the scrutineer will report on how well the new arrangements work and
recommend improvements, for the Executive Group to consider in the autumn of 2020.""",
     "Someone from outside the partnership checks that it is doing its job, and talks to children and families "
     "about it.",
     [T.INDEPENDENT_SCRUTINY]),
]


_LIST_ITEM = re.compile(r"(- |\d+\. )")


def _unwrap(markdown):
    """The texts above are wrapped to fit this file; a facilitator's text has one line per paragraph or item."""
    lines = []
    for line in markdown.splitlines():
        text = line.strip()
        if text and lines and lines[-1] and not _LIST_ITEM.match(text):
            lines[-1] += " " + text
        else:
            lines.append(text)
    return "\n".join(lines)


def _existing(partnership, title):
    return db.session.execute(select(DraftArrangement).where(DraftArrangement.partnership_id == partnership.id,
                                                             DraftArrangement.title == title)).scalar_one_or_none()


def _add_sections(facilitator, version, sections):
    for title, body, summary, topics in sections:
        services.add_section(facilitator, version, title=title, body=_unwrap(body), plain_summary=summary,
                             topics=topics)


def _working_groups(partnership, facilitator):
    draft = services.create_draft(
        facilitator, partnership, title="Proposed working groups",
        summary="The working groups proposed below the North Somerset Safeguarding Children Group, which replaces "
                "the Local Safeguarding Children Board from September 2019.")
    version_1 = draft.versions[0]
    _add_sections(facilitator, version_1, WORKING_GROUPS_V1)
    services.publish_version(facilitator, version_1,
                             change_note="First version, for the partners' workshop on 3 June 2019 and consultation.")
    version_2 = services.new_version_from(facilitator, services.get_version(draft.id, 1))
    by_title = {section.title: section for section in version_2.sections}
    for old_title, title, body, summary, topics in WORKING_GROUPS_V2_CHANGES:
        section = by_title[old_title]
        services.update_section(facilitator, section, title=title or section.title,
                                body=_unwrap(body) if body else section.body,
                                plain_summary=summary or section.plain_summary,
                                topics=topics if topics is not None else section.topic_set)
    services.publish_version(
        facilitator, services.get_version(draft.id, 2),
        change_note="After the workshop: Serious Case Reviews becomes local child safeguarding practice reviews; "
                    "the Domestic abuse group also covers teenage relationship abuse and tells schools by the next "
                    "school day; Early Intervention now covers schools and early years settings.")
    return draft


def _thematic_groups(partnership, facilitator):
    draft = services.create_draft(
        facilitator, partnership, title="Thematic groups",
        summary="Four local thematic groups under the Safeguarding Children Group, working with Bristol and South "
                "Gloucestershire, and independent scrutiny of the arrangements.")
    version_1 = draft.versions[0]
    _add_sections(facilitator, version_1, THEMATIC_GROUPS_V1)
    services.publish_version(facilitator, version_1,
                             change_note="First version, as approved in principle by Cabinet.")
    return draft


def load_demo_drafts(partnership, facilitator):
    """The demo drafts; returns {"working_groups": draft, "thematic_groups": draft}."""
    created = {}
    for name, title, make in (("working_groups", "Proposed working groups", _working_groups),
                              ("thematic_groups", "Thematic groups", _thematic_groups)):
        created[name] = _existing(partnership, title) or make(partnership, facilitator)
    return created
