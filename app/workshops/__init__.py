"""Workshop and paper input, entered by staff (issue 19): sessions with a group, their contributions and photos.

A facilitator or youth worker records a session (a workshop, paper forms, easy read forms or interviews) held with a
group for an open consultation, then types in what the group said, against the sections. Each contribution is a
comment whose author is the session's *group voice*: a Person row that never signs in (is_group_voice), shown as
"Participants in the North Somerset Youth Council workshop, 12 people" wherever an author is named. The comments
are pre-moderated and screened for possible disclosures exactly as young people's own posts are
(app.moderation.services.hold_possible_disclosure), and the log names the staff member who entered each one (the
entry's actor) and the session (its data). Photos or scans of flipcharts and forms are kept with the session, as
re-encoded images through app/attachments, for staff, moderators and the scrutineer only.
"""
