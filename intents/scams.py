"""Scams and dishonesty, answered before anything else (one rule of ``rules.PRECEDENCE``).

Three things a veteran or a relative may write that need a plain, sourced warning rather
than a policy answer: someone asking for money, a password, a code or a link in the
bureau's name (svc.fraud); drawing a dead relative's money on (pension.fraud); false
papers, bought certificates, exaggerated injuries or changed ages (svc.honesty). The
words are ``intents/cues/scams.yaml``; this module decides which warning applies.
"""

from __future__ import annotations

from intents.cues.compiler import load

SCAMS = load("scams")
KEEP_DRAWING = SCAMS.pattern("keep_drawing")
FALSE_PAPERS = SCAMS.pattern("false_papers")
SCAM = SCAMS.pattern("scam")
SCAM_INVEST = SCAMS.pattern("scam_invest")
# someone's own benefits drawn falsely is reported (pension.fraud), and a privacy worry
# is privacy.leak: neither is a scam on the veteran
NOT_SCAM = SCAMS.pattern("not_scam")


def action(norm: str) -> str | None:
    """The id of the KB entry that warns about a normalised message, or None."""
    if KEEP_DRAWING.search(norm):
        return "pension.fraud"
    if FALSE_PAPERS.search(norm):
        return "svc.honesty"
    if (SCAM.search(norm) or SCAM_INVEST.search(norm)) and not NOT_SCAM.search(norm):
        return "svc.fraud"
    return None
