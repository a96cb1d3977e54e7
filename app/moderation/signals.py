"""Words that commonly signal harm in a young person's comment. A match passes the post to the DSL at once.

The list is matched on whole words or phrases, case-insensitively ("hurts me" flags "someone at home hurts me" but
"hurtle" flags nothing), with common misspellings and texting forms ("sucide", "kms", "dont tell"). A young
person's post that matches is held from everyone and opens a safeguarding concern, "possible disclosure — not yet
reviewed", for the designated safeguarding lead (app.moderation.services.hold_possible_disclosure): a false alarm
costs the DSL a minute, a missed disclosure costs a child. A comment without these words may still disclose harm,
so moderators read every young person's post and can raise a concern themselves.

The public's posts (parents, carers and the public, issue 17) are screened the same way: nobody in the partnership
knows who wrote them, and a parent may be telling us about their own child. Other adults' comments are not
screened: a safeguarding consultation is full of words like "abuse" and "neglect".

Reviewing the list: it is plain data, grouped by what the words may signal (from common safeguarding training
lists); the partnership's DSL should read it once a year, and tests/moderation/test_signals.py shows each group's
phrasings that must match and ordinary sentences that must not.

The words are grouped by what they may signal (drawn from common safeguarding training lists).
"""
import re

SIGNAL_WORDS = {
    "physical harm": ["hit me", "hits me", "hitting me", "hitts me", "hurt me", "hurts me", "hurting me", "hurst me",
                      "beat me", "beats me", "beat me up", "beats me up", "beating me", "kicked me", "kicks me",
                      "slapped me", "slaps me", "smacks me", "punched me", "punches me", "chokes me", "choked me",
                      "strangled me", "burned me", "burnt me", "bruise", "bruises", "bruised"],
    "sexual harm": ["touched me", "touches me", "touching me", "made me touch", "abuse", "abused", "abusing",
                    "abuseing", "abuze", "rape", "raped", "nudes", "send pics", "asked for pics", "groomed",
                    "grooming", "sexting"],
    "self-harm and suicide": ["kill myself", "kil myself", "kill my self", "kms", "suicide", "sucide", "suicde",
                              "suicidal", "sucidal", "self harm", "self-harm", "selfharm", "slef harm",
                              "self harming", "hurt myself", "hurting myself", "cut myself", "cutting myself",
                              "cuting myself", "want to die", "wanna die", "want to be dead", "end it all",
                              "overdose", "don't want to be alive", "dont want to be alive", "don't want to live",
                              "dont want to live"],
    "fear and neglect": ["scared to go home", "afraid to go home", "scared at home", "scared of my", "afraid of my",
                         "not safe", "unsafe at home", "no food", "not allowed to eat", "nobody looks after me",
                         "no one looks after me", "left on my own", "kicked out", "kicked me out", "threw me out",
                         "locked in", "locks me in", "threatened me", "threatens me"],
    "exploitation": ["county lines", "made me carry", "owe them", "secret", "keep it secret", "don't tell",
                     "dont tell", "made me sell"],
}
# A parent or carer tells it about a child: "my partner hits my son", "he hurts the kids". Every verb with every
# child, so that a new word on either side covers the other's.
_HARM_VERBS = ["hit", "hits", "hitting", "hurt", "hurts", "hurting", "beat", "beats", "beating", "beat up",
               "beats up", "kicked", "kicks", "kicking", "slapped", "slaps", "smacked", "smacks", "punched",
               "punches", "shook", "shakes", "shaking", "choked", "chokes", "strangled", "burned", "burnt",
               "touched", "touches", "touching", "threatened", "threatens", "locks up", "locked up", "starves"]
_CHILDREN = [f"{whose} {child}" for whose in ("my", "our", "his", "her")
             for child in ("son", "daughter", "child", "children", "kids", "kid", "baby", "boy", "girl", "stepson",
                           "stepdaughter", "grandson", "granddaughter", "little one", "toddler")] + [
    "the baby", "the toddler", "the little one"]  # not "the children": "cuts hit the children's centres"
SIGNAL_WORDS["harm to a child (as a parent or carer may tell it)"] = [
    f"{verb} {child}" for verb in _HARM_VERBS for child in _CHILDREN] + [
    "scared of my partner", "afraid of my partner", "frightened of my partner", "scared of him", "afraid of him",
    "frightened of him", "scared of her", "afraid of her", "domestic violence", "he hits", "she hits"]
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
