"""Organisation names in one house style.

ODS publishes names in capitals ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST") while ONS and
NHS England's own lists use mixed case ("NHS South East London Integrated Care Board"). Shown
side by side the capitals read as shouting and as two different registers, so names are put in
the NHS.UK content style (sentence-like title case, acronyms kept) once, when they are read.
A name that already mixes cases was written by a person and is kept exactly as published.
"""

from __future__ import annotations

import re

from opmodel.store import Store

__all__ = ["house_style_name", "restyle_stored_names"]

#: Words kept in capitals (acronyms and initialisms that appear in NHS body names).
ACRONYMS = frozenset({
    "NHS", "ICB", "ICS", "CCG", "UK", "GP", "HQ", "PCT", "CIC", "LLP", "LTD", "PLC", "II", "III", "IV",
    "ENT", "UCLH", "BMI", "HCT", "NHSE", "DHSC", "CQC", "SE", "NE", "NW", "SW", "W2U3Z",
})
#: Short joining words written in lower case unless they start the name.
MINOR = frozenset({"and", "of", "the", "for", "in", "on", "at", "upon", "with", "by", "to", "de", "le", "la"})

_WORD = re.compile(r"[A-Za-z0-9']+|[^A-Za-z0-9']+")


def _word(word: str, first: bool) -> str:
    upper = word.upper()
    if upper in ACRONYMS or (len(word) <= 5 and any(ch.isdigit() for ch in word)):
        return upper
    lower = word.lower()
    if not first and lower in MINOR:
        return lower
    # Apostrophes: GUY'S -> Guy's, THOMAS' -> Thomas', O'BRIEN -> O'Brien.
    if "'" in lower:
        head, _, tail = lower.partition("'")
        if len(head) == 1 and tail and len(tail) > 1:
            return head.upper() + "'" + tail.capitalize()
        return head.capitalize() + "'" + tail
    return lower.capitalize()


def house_style_name(name: str) -> str:
    """``name`` in house style: capitals become title case with acronyms and joining words kept.

    >>> house_style_name("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST")
    "Guy's and St Thomas' NHS Foundation Trust"
    >>> house_style_name("NHS South East London Integrated Care Board")
    'NHS South East London Integrated Care Board'
    """
    text = " ".join(name.replace("’", "'").split())
    if not text or any(ch.islower() for ch in text):
        return name.strip()
    out: list[str] = []
    first = True
    previous_sep = ""
    for token in _WORD.findall(text):
        if not (token[0].isalnum() or token[0] == "'"):
            out.append(token)
            previous_sep = token
            continue
        # After a hyphen, joining words stay lower case too (Stoke-on-Trent); a word after
        # " - " (ODS sub-ICB suffixes) is a fresh start.
        starts = first or (previous_sep.strip() in ("-", "(") and previous_sep != "-")
        out.append(_word(token, starts))
        first = False
    return "".join(out)


def restyle_stored_names(store: Store) -> int:
    """Put names already in a store (written before the house style existed) in house style.

    Registered as a one-off seeder, so a store made by an earlier version stops showing ODS
    capitals beside mixed-case names; returns how many names changed.
    """
    rows = store.rows("SELECT code, name FROM organisations")
    changed = [(house_style_name(r["name"]), r["code"]) for r in rows if house_style_name(r["name"]) != r["name"]]
    if changed:
        store.con.executemany("UPDATE organisations SET name = ? WHERE code = ?", changed)
    return len(changed)
