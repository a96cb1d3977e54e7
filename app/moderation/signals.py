"""Words that commonly signal harm in a young person's comment: a hint for moderators, never a decision.

The list is short on purpose and is matched on whole words or phrases, case-insensitively, so "hurt" flags
"he hurt me" but not "hurtle". A flagged comment goes to the top of the moderation queue with a visible flag;
a person still reads it and decides. A comment without these words may still disclose harm, and one with them
may not: moderators read everything.

The words are grouped by what they may signal (drawn from common safeguarding training lists).
"""
import re

SIGNAL_WORDS = {
    "physical harm": ["hit me", "hits me", "hurt me", "hurts me", "hurting me", "beat me", "beats me", "kicked me",
                      "bruise", "bruises", "punched me"],
    "sexual harm": ["touched me", "touches me", "touching me", "abuse", "abused", "abusing", "rape", "raped",
                    "nudes", "groomed", "grooming"],
    "self-harm and suicide": ["kill myself", "suicide", "suicidal", "self harm", "self-harm", "cut myself",
                              "cutting myself", "want to die", "end it all", "overdose"],
    "fear and neglect": ["scared to go home", "afraid to go home", "not safe", "unsafe at home", "no food",
                         "kicked out", "locked in", "threatened me", "threatens me"],
    "exploitation": ["county lines", "made me carry", "owe them", "secret", "keep it secret", "don't tell"],
}
_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for words in SIGNAL_WORDS.values() for w in sorted(words, key=len,
                                                                                             reverse=True))
    + r")(?![\w-])", re.IGNORECASE)


def signals_in(text):
    """The signal words or phrases found in `text` (lower-case, in order, without repeats)."""
    found = []
    for match in _PATTERN.finditer((text or "").replace("’", "'")):
        word = match.group(1).lower()
        if word not in found:
            found.append(word)
    return found


def is_flagged(text):
    return bool(signals_in(text))
