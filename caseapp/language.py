"""Words that label a youth instead of describing what happened, and what to write instead.

The list is docs/risk-catalogue.md#language (each term with its source) and #ui-copy (the rules for
the app's own words). Two uses:

- narrative fields (a run's circumstances, debrief notes) get a gentle hint, never a block: the hint
  runs live in the browser (static/js/language-check.js, reading static/js/language-terms.json, which
  `python -m caseapp.language` writes from this list) and again on the server after a save
  (`form_note()`), so it works without JavaScript;
- tests/test_ui_terms.py checks that the app's own words (templates, labels, messages) use none of them.

Text inside double quotation marks ("…" or “…”) is the youth's own words, which docs/risk-catalogue.md#language asks
caseworkers to quote as said: it is not checked. Plain module: no Django, no database.

The patterns are written so that Python's `re` and JavaScript's `RegExp` read them the same way
(no inline flags, no named groups); tests/caseapp/test_language.py runs both over the same texts.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

# The list as the browser reads it: a static file, so that no page carries these words in its HTML.
JS_TERMS_FILE = Path(__file__).resolve().parent.parent / "static" / "js" / "language-terms.json"

# A widget attribute: a form field whose widget has it gets the live hint and the note after saving.
CHECK_ATTR = "data-language-check"

# Used by the terms that are only a problem when they describe commercial sex ("she chose to",
# "he was her boyfriend"): some word of paying or exploiting must appear in the same sentence.
COMMERCIAL_SEX_CONTEXT = (
    r"\b(?:commercial|prostitut\w*|traffick\w*|exploit\w*|buyers?|johns?|pimp\w*|money|cash|paid|pays?|payment"
    r"|exchanged?|trad(?:e|ed|ing)|for\s+(?:food|drugs|shelter|rides?|a\s+place\s+to\s+stay))\b"
)

# The youth's own words, in straight or curly double quotation marks, within one line.
QUOTED = r"\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d"
# Where a sentence ends, for the context check.
SENTENCE_END = r"[.!?;\n]"

GUIDE = "docs/risk-catalogue.md#language"
NCMEC_BEHAVIOUR = "Running away is a behaviour, not who the youth is (NCMEC)."
DATES = "'was missing from placement from <date> to <date>'"
CANNOT_CONSENT = "'was exploited' or 'was trafficked'"
DESCRIBE = "describing what was seen or said"


@dataclass(frozen=True)
class Term:
    pattern: str  # regular expression, read the same by Python and JavaScript
    preferred: str  # as the hint shows it: the suggested words in single quotation marks
    why: str
    source: str
    case_sensitive: bool = False
    context: str | None = None  # if set, must also match in the same sentence


@dataclass(frozen=True)
class TermHit:
    term: str  # the words as written in the text
    preferred: str
    why: str
    source: str
    start: int
    end: int


# More specific terms first: where two overlap at the same place, the longer match wins, then the earlier entry.
TERMS: tuple[Term, ...] = (
    # Missing episodes (docs/risk-catalogue.md#language, rows 1 and 2).
    Term(
        r"\bchronic(?:ally)?[\s-]+(?:run-?aways?|runners?)\b", "'youth with repeated missing episodes'",
        NCMEC_BEHAVIOUR, f"{GUIDE}; NCMEC [4]",
    ),
    Term(
        r"\bfrequent[\s-]+fl[iy]ers?\b", "'youth with repeated missing episodes'",
        "NCMEC: youth are not 'frequent fliers'.", f"{GUIDE}; NCMEC [4]",
    ),
    Term(
        r"\brun-?aways?\b", "'youth missing from care', 'missing episode' or 'left placement'",
        NCMEC_BEHAVIOUR, f"{GUIDE}; NCMEC [4]",
    ),
    Term(r"\bran\s+away\b", f"'left placement' or {DATES}", NCMEC_BEHAVIOUR, f"{GUIDE}; NCMEC [4]"),
    Term(
        r"\brunners?\b", "'youth who left placement' or 'youth missing from care'",
        "NCMEC: youth are not 'runners'.", f"{GUIDE}; NCMEC [4]",
    ),
    Term(r"\bawol\b", DATES, "Describes a youth like a deserter; give the dates instead.", f"{GUIDE}; NCMEC [4]"),
    Term(
        r"\belop(?:e|ed|es|ing|ements?)\b", DATES, "Jargon for leaving; give the dates instead.", f"{GUIDE}; NCMEC [4]"
    ),
    # Sexual exploitation (the language table, rows 3 to 8 and 11).
    Term(
        r"\b(?:child|children|teen(?:age)?|juvenile|underage|minor|young|youth)[\s-]+prostitutes?\b",
        "'youth who has experienced sex trafficking', 'CST victim' or 'survivor'",
        "There is no such thing as a child prostitute: it is child abuse.", f"{GUIDE}; Rights4Girls [41]",
    ),
    Term(
        r"\b(?:(?:child|teen(?:age)?|juvenile|underage|minor|youth)[\s-]+)?sex[\s-]+workers?\b",
        "'youth who has experienced sex trafficking'",
        "A child cannot be a sex worker; this is exploitation.", f"{GUIDE}; Luxembourg Guidelines [40]",
    ),
    Term(
        r"\b(?:engaged|engaging|involved|participat(?:ed|ing))\s+in\s+(?:commercial\s+sex|sex\s+work|prostitution)\b",
        "'was exploited' or 'was trafficked'", "Puts the act on the child; the adult exploited them.",
        f"{GUIDE}; Youth Collaboratory [42]",
    ),
    Term(
        r"\b(?:child|children|teen(?:age)?|juvenile|underage)[\s-]+prostitution\b", "'sexual exploitation of children'",
        "It is child abuse, not a kind of prostitution.", f"{GUIDE}; Luxembourg Guidelines [40]",
    ),
    Term(
        r"\bprostitut(?:e|es|ed|ing)\b", "'was exploited' or 'youth who has experienced sex trafficking'",
        "A minor in commercial sex is a trafficking victim.", f"{GUIDE}; Rights4Girls [41]",
    ),
    Term(
        r"\bprostitution\b", "'sexual exploitation of a child'",
        "A minor in commercial sex is a trafficking victim.", f"{GUIDE}; Luxembourg Guidelines [40]",
    ),
    Term(
        r"\b(?:child|kiddie|underage|juvenile)[\s-]+porn(?:ography|o)?\b", "'child sexual abuse material (CSAM)'",
        "NCMEC's term: it is a record of abuse.", f"{GUIDE}; NCMEC [40c]",
    ),
    Term(
        r"\b(?:child[\s-]+)?sex[\s-]+touris(?:m|ts?)\b", "'sexual exploitation of children in travel and tourism'",
        "Names the abuse, not a kind of travel.", f"{GUIDE}; Luxembourg Guidelines [40]",
    ),
    # Lower case only: "John" is a name.
    Term(
        r"\bjohns?\b", "'buyer' or 'person who purchased sex'", "NCMEC says 'buyer'.", f"{GUIDE}; NCMEC [2a]",
        case_sensitive=True,
    ),
    # "Pimp-controlled" is NCMEC's name for a kind of trafficking and stays.
    Term(
        r"\bpimp(?:s|ed|ing)?\b(?![\s-]controlled)", "'trafficker', 'exploiter' or 'adult exploiting the youth'",
        "NCMEC keeps 'pimp-controlled' only as a type label.", f"{GUIDE}; NCMEC [2b]",
    ),
    Term(
        r"\bboyfriends?\b", "'adult exploiting the youth', or the youth's own words in quotation marks",
        "When the 'boyfriend' is the one exploiting, say so, or quote the youth.", GUIDE,
        context=COMMERCIAL_SEX_CONTEXT,
    ),
    Term(
        r"\b(?:consent(?:ed|ing|s)?|consensual)\b", CANNOT_CONSENT,
        "A minor cannot consent to a commercial sex act.", f"{GUIDE}; NHTTAC [43]",
        context=COMMERCIAL_SEX_CONTEXT,
    ),
    Term(
        r"\b(?:willing(?:ly)?|by\s+choice|cho(?:se|oses?|osing)\s+to|voluntar(?:y|ily))\b", CANNOT_CONSENT,
        "A minor cannot consent to a commercial sex act.", f"{GUIDE}; NHTTAC [43]",
        context=COMMERCIAL_SEX_CONTEXT,
    ),
    Term(
        r"\brescu(?:e|ed|es|ing)\b", "'located', 'recovered' or 'connected to services'",
        "Avoids the 'heroic rescue' framing.", f"{GUIDE}; Youth Collaboratory [42]",
    ),
    # Labels of the youth's character (the language table, row 12).
    Term(r"\bpromiscu(?:ous|ity)\b", DESCRIBE, "A judgement of the youth, not a fact.", GUIDE),
    Term(
        r"\bmanipulative\b", f"{DESCRIBE}, e.g. a 'survival strategy'",
        "A judgement of the youth; what looks like manipulation is often a way to survive.", GUIDE,
    ),
    Term(r"\bnon[\s-]?complian(?:t|ce)\b", DESCRIBE, "A judgement of the youth, not a fact.", GUIDE),
    Term(
        r"\bhigh[\s-]risk\s+behaviou?rs?\b", f"{DESCRIBE}, e.g. a 'survival strategy' or a 'trauma response'",
        "Describe what happened; the behaviour is often a response to trauma.", GUIDE,
    ),
)


def _compiled(pattern: str, *, case_sensitive: bool = False) -> re.Pattern:
    return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)


_COMPILED = tuple(
    (
        term,
        _compiled(term.pattern, case_sensitive=term.case_sensitive),
        _compiled(term.context) if term.context else None,
    )
    for term in TERMS
)
_QUOTED = re.compile(QUOTED)
_SENTENCE_END = re.compile(SENTENCE_END)


def _sentence(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def find_terms(text: str, *, skip_quoted: bool = True) -> list[TermHit]:
    """The terms in `text`, in order, without overlaps. Quoted words are skipped unless skip_quoted is False."""
    if not text:
        return []
    quoted = [m.span() for m in _QUOTED.finditer(text)] if skip_quoted else []
    found = []
    for order, (_term, pattern, context) in enumerate(_COMPILED):
        for m in pattern.finditer(text):
            if any(q_start <= m.start() < q_end for q_start, q_end in quoted):
                continue
            if context and not context.search(_sentence(text, m.start(), m.end())):
                continue
            found.append((m.start(), -(m.end() - m.start()), order, m))
    hits, taken_until = [], 0
    for start, _, order, m in sorted(found, key=lambda f: f[:3]):
        if start < taken_until:
            continue
        term = TERMS[order]
        hits.append(TermHit(m.group(0), term.preferred, term.why, term.source, m.start(), m.end()))
        taken_until = m.end()
    return hits


def suggestion(hit: TermHit) -> str:
    return f"consider {hit.preferred} instead of '{hit.term}'"


def wording_note(labelled_texts) -> str:
    """One gentle note for the (label, text) pairs of a saved form, or "" when the wording is fine."""
    parts = []
    for label, text in labelled_texts:
        seen, suggestions = set(), []
        for hit in find_terms(text):
            key = (hit.term.lower(), hit.preferred)
            if key not in seen:
                seen.add(key)
                suggestions.append(suggestion(hit))
        if suggestions:
            parts.append(f"{label}: {'; '.join(suggestions)}.")
    if not parts:
        return ""
    return "Saved as you wrote it. A suggestion on wording for next time: " + " ".join(parts)


def form_note(form) -> str:
    """wording_note() over the fields of a valid form whose widget carries CHECK_ATTR."""
    pairs = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if field.widget.attrs.get(CHECK_ATTR) and isinstance(value, str):
            pairs.append((str(field.label or name).rstrip(":"), value))
    return wording_note(pairs)


def terms_for_js() -> dict:
    """The list as JSON-safe data for static/js/language-check.js."""
    return {
        "quoted": QUOTED,
        "sentenceEnd": SENTENCE_END,
        "terms": [
            {
                "pattern": term.pattern,
                "flags": "" if term.case_sensitive else "i",
                "preferred": term.preferred,
                "why": term.why,
                "source": term.source,
                "context": term.context,
            }
            for term in TERMS
        ],
    }


def terms_json() -> str:
    """The text of static/js/language-terms.json (regenerate it with `python -m caseapp.language`)."""
    return json.dumps(terms_for_js(), indent=1, ensure_ascii=True) + "\n"


if __name__ == "__main__":
    JS_TERMS_FILE.write_text(terms_json(), encoding="utf-8")
    print(f"Wrote {JS_TERMS_FILE}")
