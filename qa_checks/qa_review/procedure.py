"""The second pair of eyes: pre-assessing the procedural checklist from the record (NRM review 7.4.5).

The review asks whether the panel followed due process, not whether the decision was right (7.4.5,
footnote 31). `pre_assess(record)` reads a plain record of the case *as the panel had it when deciding*
and returns one `Finding` per checklist item that applies (reference/procedure_checklist.yaml), with a
status in ``finding.evidence["status"]``: ``pass``, ``fail`` or ``cannot_tell``, and the facts it rests on
in words (``finding.evidence["facts"]``), e.g. "Support provider's information requested on 3 May 2013, not
received; decision on 6 May 2013". A check that could not run says "cannot tell", never "pass". The
reviewer confirms or overrides every item; a pre-assessment is advice, never the review's outcome.

Pure: no database, no Jupyter. The record is a plain dict (dates as `date` or ISO strings)::

    {
      "case_id": 6, "reference": "NRM-2013-000006",
      "referral": {"received_on", "is_child", "age_disputed", "consent_given", "consent_signed",
                   "detention", "detention_endorsed_on", "nationality_group"},
      "accepted_on": date | None,            # the panel's clock starts here if the referral was returned
      "escalated_on": date | None, "escalation_reason": str | None,
      "rg_decided_on": date | None,          # the RG decision before a CG decision under review
      "decision": {"id", "stage", "outcome", "decided_on", "reasons", "evidence_ids", "author"},
      "evidence": [{"id", "source", "description", "requested_on", "received_on", "summary"}],
      "assessments": [{"indicator_id", "status", "evidence_ids", "assessed_at"}],
      "letter": {"text", "version"} | None,  # the letter for the decision under review
      "asylum": {"decided_by", "decided_on"} | None,   # rarely held; see asylum_separate
    }

Evidence may include items that arrived, or were asked for, after the decision: the checks compare every
date with the decision date, so the facts can say "received 3 days after the decision".
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict, cast

from pydantic import Field

import reference
from qa_checks.finding import Finding, Level
from qa_checks.reference_data import (
    Problem,
    Schema,
    Text,
    check,
    display_path,
    duplicates,
    entries,
    read,
)

STATUSES = ("pass", "fail", "cannot_tell")
STATUS_LABELS = {"pass": "Met", "fail": "Failing", "cannot_tell": "Cannot tell"}
_PREFIX = {"pass": "Looks met", "fail": "Looks like a failing", "cannot_tell": "Cannot tell from the record"}
_PATH = Path(reference.__file__).parent / "procedure_checklist.yaml"
# The RG target: reference/timescales.yaml rg_target_days (workbench.core.timescales reads it; qa_checks may not).
RG_TARGET_WORKING_DAYS = 5

SOURCE_LABELS = {
    "police": "Police information", "medical": "Medical evidence",
    "support_provider": "Support provider's information", "la_childrens_services": "Children's services' information",
    "ukvi_immigration_history": "Immigration history", "lead": "The lead's further information",
    "other": "Other information",
}
SOURCE_ASKED = {"support_provider": "the support provider", "la_childrens_services": "children's services",
                "police": "the police", "medical": "a clinician", "ukvi_immigration_history": "UKVI",
                "lead": "the lead", "other": "anyone else"}
# Words that show the reasons name a source even where no evidence item is linked to them.
SOURCE_WORDS = {
    "police": r"\bpolice\b|\bofficers?\b", "medical": r"\bmedical\b|\bdoctor\b|\bGP\b|psycholog|\bclinician",
    "support_provider": r"support (?:provider|worker)|caseworker|safe ?house",
    "la_childrens_services": r"children.s services|social worker|local authority",
    "ukvi_immigration_history": r"immigration (?:history|records?)|\bUKVI\b|Home Office records?",
    "lead": r"\blead\b|first responder|referr(?:er|ing)", "other": r"$^",
}
TRAUMA_WORDS = re.compile(
    r"\btrauma\w*|\bPTSD\b|post.traumatic|psycholog\w*|mental health|\bmemory\b|"
    r"difficult(?:y|ies) (?:in )?(?:recall|remember)\w*|wake screaming|flashbacks?", re.IGNORECASE)
PROSECUTION_WORDS = re.compile(r"prosecut\w*|\bcharg(?:e|es|ed|ing)\b|\btrial\b|\bcourt\b|\bconvict\w*|CPS",
                               re.IGNORECASE)
ASYLUM_WORDS = re.compile(r"\basylum\b|refugee|protection claim", re.IGNORECASE)
# Letter-checker categories each item reads.
WRONG_TEST = {"wrong-standard-of-proof", "child-means-test"}
TRAUMA_FLAGS = {"trauma-dismissal", "minor-inconsistency", "late-disclosure"}
CHILD_LANGUAGE = {"child-readability"}


Stage = Literal["rg", "cg"]


class AppliesTo(Schema):
    """Which cases an item applies to (see the header of procedure_checklist.yaml)."""

    age: Literal["any", "adult", "child"]
    stage: Annotated[list[Stage], Field(min_length=1)]
    detention: Literal["any", "detained"]
    nationality: Literal["any", "non_uk"]


class PreAssessed(Schema):
    """How an item is pre-assessed: the check (a closed set, CHECKS), what it reads, and the check's options."""

    check: str
    from_: Text = Field(alias="from")
    source: str | None = None          # source_information: the evidence source asked for
    required_at: list[Stage] | None = None
    silent_because: str | None = None


class ChecklistEntry(Schema):
    id: Text
    text: Text
    source: Text
    applies_to: AppliesTo
    level: Literal["warning", "critical"]
    pre_assessed: PreAssessed
    reviewer_hint: str = ""


class ChecklistFile(Schema):
    """reference/procedure_checklist.yaml."""

    version: Annotated[int, Field(strict=True, ge=1)]
    statuses: dict[Literal["pass", "fail", "cannot_tell"], Text]
    items: Annotated[list[ChecklistEntry], Field(min_length=1)]


class AppliesToDict(TypedDict):
    """AppliesTo as a plain dict (ChecklistItem.applies_to)."""

    age: Literal["any", "adult", "child"]
    stage: list[Stage]
    detention: Literal["any", "detained"]
    nationality: Literal["any", "non_uk"]


class CheckParams(TypedDict, total=False):
    """The options of PreAssessed an item's file sets (ChecklistItem.params)."""

    source: str | None
    required_at: list[Stage] | None
    silent_because: str | None


# A record of a case as the panel had it when deciding (the module docstring shows its shape).
Record = Mapping[str, Any]


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    source: str
    applies_to: AppliesToDict
    level: str
    check: str
    params: CheckParams
    pre_assessed_from: str
    reviewer_hint: str

    def applies(self, record: Record) -> bool:
        r = record.get("referral") or {}
        a, stage = self.applies_to, (record.get("decision") or {}).get("stage")
        child = bool(r.get("is_child")) or bool(r.get("age_disputed"))  # presumed a child pending assessment
        if a["age"] == "child" and not child:
            return False
        if a["age"] == "adult" and r.get("is_child"):
            return False
        if stage not in a["stage"]:
            return False
        if a["detention"] == "detained" and (r.get("detention") or "none") == "none":
            return False
        return not (a["nationality"] == "non_uk" and r.get("nationality_group") == "uk")


# ------------------------------------------------------------------------------------------ loading

def _checklist_problems(shown: str, raw: Any, problems: list[Problem]) -> None:
    """Ids are unique, every check is one of CHECKS, and a check has the options it reads."""
    duplicates(shown, "items", raw, problems)
    for where, it in entries(raw, "items"):
        raw_pa = it.get("pre_assessed")
        pa: dict[str, Any] = raw_pa if isinstance(raw_pa, dict) else {}
        name = pa.get("check")
        if name is not None and name not in CHECKS:
            problems.append((shown, where, f"pre_assessed.check: unknown check {name!r} "
                             f"(expected one of {', '.join(sorted(CHECKS))})"))
        if name == "source_information" and pa.get("source") not in SOURCE_LABELS:
            problems.append((shown, where, f"pre_assessed.source: {pa.get('source')!r} is not an evidence source "
                             f"({', '.join(SOURCE_LABELS)})"))


@lru_cache(maxsize=1)
def load_checklist() -> tuple[ChecklistItem, ...]:
    """The checklist, validated: every problem is reported at once (ReferenceDataError), keyed by item."""
    problems: list[Problem] = []
    raw, data = read(_PATH, ChecklistFile, problems)
    if raw is not None:
        _checklist_problems(display_path(_PATH), raw, problems)
    check(problems, "procedure checklist")
    assert data is not None
    # The dumps hold what the schema validated: AppliesTo's fields, and PreAssessed's options the file sets.
    return tuple(
        ChecklistItem(it.id, " ".join(it.text.split()), it.source, cast(AppliesToDict, it.applies_to.model_dump()),
                      it.level, it.pre_assessed.check,
                      cast(CheckParams, it.pre_assessed.model_dump(exclude={"check", "from_"}, exclude_unset=True)),
                      " ".join(it.pre_assessed.from_.split()), " ".join(it.reviewer_hint.split()))
        for it in data.items)


def item(item_id: str) -> ChecklistItem:
    for it in load_checklist():
        if it.id == item_id:
            return it
    raise KeyError(item_id)


def applicable_items(record: Record) -> list[ChecklistItem]:
    return [it for it in load_checklist() if it.applies(record)]


def status_of(finding: Finding) -> str:
    return str(finding.evidence["status"])


# ------------------------------------------------------------------------------------------ the record

def _d(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def fmt(d: date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else "—"


@dataclass(frozen=True)
class Ev:
    id: Any
    source: str
    description: str
    requested_on: date | None
    received_on: date | None
    summary: str

    @property
    def label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source.replace("_", " ").capitalize())


@dataclass
class Context:
    record: Record
    referral: dict[str, Any]
    decision: dict[str, Any]
    stage: str
    decided_on: date | None
    reasons: str
    evidence: list[Ev]
    letter_text: str | None
    letter_version: Any
    letter_findings: list[Finding]
    letter_error: str | None
    reasons_findings: list[Finding] = field(default_factory=list)

    def before_decision(self) -> list[Ev]:
        """Evidence asked for on or before the decision date (what the panel had, or was waiting for)."""
        return [e for e in self.evidence if e.requested_on and self.decided_on and e.requested_on <= self.decided_on]

    def had(self, e: Ev) -> bool:
        return e.received_on is not None and self.decided_on is not None and e.received_on <= self.decided_on

    def flags(self, categories: set[str], *, letter: bool = True, reasons: bool = True) -> list[tuple[str, Finding]]:
        out = []
        if reasons:
            out += [("reasons", f) for f in self.reasons_findings if f.category in categories]
        if letter:
            out += [("letter", f) for f in self.letter_findings
                    if f.category in categories and Level(f.level) != Level.INFO]
        return out


@dataclass(frozen=True)
class Result:
    status: str
    facts: list[str]
    field: str
    confidence: float = 1.0
    data: dict[str, Any] = dataclasses.field(default_factory=dict)  # `field` is the name of a field here


def _context(record: Record, letter_findings: list[Finding] | None, use_model: bool) -> Context:
    r = dict(record.get("referral") or {})
    d = dict(record.get("decision") or {})
    evidence = [Ev(e.get("id"), e.get("source") or "other", e.get("description") or "", _d(e.get("requested_on")),
                   _d(e.get("received_on")), e.get("summary") or "") for e in record.get("evidence") or []]
    letter = record.get("letter") or None
    text = (letter or {}).get("text") or None
    error = None
    stage = d.get("stage") or ""
    decided_on = _d(d.get("decided_on"))
    if text and letter_findings is None:
        letter_findings, error = run_letter_check(text, record, use_model=use_model)
    ctx = Context(record, r, d, stage, decided_on, (d.get("reasons") or "").strip(), evidence, text,
                  (letter or {}).get("version"), list(letter_findings or []), error)
    if ctx.reasons and stage in ("rg", "cg"):
        ctx.reasons_findings = _reasons_flags(ctx.reasons, bool(r.get("is_child")), stage, decided_on)
    return ctx


def run_letter_check(text: str, record: Record, *, use_model: bool = True) -> tuple[list[Finding], str | None]:
    """The letter checker on the decision's letter; (findings, None) or ([], why it could not run)."""
    from qa_checks.letters import check_letter

    r, d = record.get("referral") or {}, record.get("decision") or {}
    try:
        return check_letter(text, case_type="child" if r.get("is_child") else "adult", stage=d.get("stage") or "cg",
                            decided_on=_d(d.get("decided_on")), use_model=use_model), None
    except Exception as exc:  # a missing model, a bad date: the item says it could not run
        return [], f"the letter checker could not run ({type(exc).__name__}: {exc})"


def _reasons_flags(reasons: str, is_child: bool, stage: str, decided_on: date | None) -> list[Finding]:
    """The letter checker's sentence rules over the reasons (no model, no whole-letter checks)."""
    from qa_checks.letters.check import rule_findings
    from qa_checks.letters.rules import load_rules
    from qa_checks.letters.text import SpanIndex, quoted_spans, split_sentences

    try:
        return rule_findings(reasons, split_sentences(reasons), SpanIndex(quoted_spans(reasons)), load_rules(),
                             case_type="child" if is_child else "adult", stage=stage,
                             decided_on=decided_on or date.today())
    except Exception:
        return []


def _flag_fact(where: str, f: Finding) -> str:
    matched = (f.evidence or {}).get("matched")
    said = f" (\u201c{matched}\u201d)" if matched else ""
    return f"{'Letter' if where == 'letter' else 'Reasons'} flagged, {f.category.replace('-', ' ')}{said}: {f.message}"


# ------------------------------------------------------------------------------------------ the checks

def evidence_considered(ctx: Context, it: ChecklistItem) -> Result:
    if ctx.decided_on is None:
        return Result("cannot_tell", ["The decision has no date, so what the panel had cannot be worked out."],
                      "decision.decided_on")
    asked = ctx.before_decision()
    if not asked:
        return Result("cannot_tell", [f"No information was asked for before the decision on {fmt(ctx.decided_on)}; "
                                      "the panel had the referral alone. Whether more was available is for the "
                                      "reviewer."], "evidence")
    fails, passes = [], []
    for e in asked:
        if e.received_on is None:
            fails.append(f"{e.label} requested on {fmt(e.requested_on)}, not received; decision on {fmt(ctx.decided_on)}.")
        elif e.received_on > ctx.decided_on:
            days = (e.received_on - ctx.decided_on).days
            fails.append(f"{e.label} requested on {fmt(e.requested_on)}, received on {fmt(e.received_on)}: "
                         f"{days} day{'s' if days != 1 else ''} after the decision on {fmt(ctx.decided_on)}.")
        else:
            passes.append(f"{e.label} requested on {fmt(e.requested_on)}, received on {fmt(e.received_on)}, "
                          f"before the decision on {fmt(ctx.decided_on)}.")
    linked = set(ctx.decision.get("evidence_ids") or [])
    left_out = [e for e in asked if ctx.had(e) and e.id not in linked
                and not re.search(SOURCE_WORDS.get(e.source, r"$^"), ctx.reasons, re.IGNORECASE)]
    for e in left_out:
        fails.append(f"{e.label} received on {fmt(e.received_on)} is neither linked to the decision nor named in its "
                     "reasons.")
    if fails:
        return Result("fail", fails + passes, "evidence",
                      data={"outstanding": [e.id for e in asked if not ctx.had(e)], "left_out": [e.id for e in left_out]})
    n = len(asked)
    head = (f"All {n} item{'s' if n != 1 else ''} of information asked for had arrived before the decision on "
            f"{fmt(ctx.decided_on)}, and the reasons take account of {'them' if n != 1 else 'it'}.")
    return Result("pass", [head] + passes, "evidence")


def source_information(ctx: Context, it: ChecklistItem) -> Result:
    src = it.params["source"]
    assert src is not None, "load_checklist requires a source of a source_information item"
    required = ctx.stage in (it.params.get("required_at") or ())
    label = SOURCE_LABELS.get(src, src)
    items = [e for e in ctx.before_decision() if e.source == src]
    if not items:
        later = [e for e in ctx.evidence if e.source == src and e.requested_on]
        after = (f" It was asked for on {fmt(later[0].requested_on)}, after the decision." if later else "")
        fact = (f"No request to {SOURCE_ASKED.get(src, src)} is recorded before the decision on "
                f"{fmt(ctx.decided_on)}.{after}")
        if required:
            return Result("fail", [fact], "evidence")
        why = it.params.get("silent_because") or ""
        return Result("cannot_tell", [f"{fact} {why}".strip()], "evidence")
    got = [e for e in items if ctx.had(e)]
    if got:
        e = got[0]
        return Result("pass", [f"{label} requested on {fmt(e.requested_on)}, received on {fmt(e.received_on)}, before "
                               f"the decision on {fmt(ctx.decided_on)}."], "evidence")
    e = items[0]
    when = "not received" if e.received_on is None else f"received on {fmt(e.received_on)}, after the decision"
    return Result("fail", [f"{label} requested on {fmt(e.requested_on)}, {when}; decision on {fmt(ctx.decided_on)}."],
                  "evidence")


def right_test(ctx: Context, it: ChecklistItem) -> Result:
    from qa_checks.legal_tests import test_in_force

    if ctx.decided_on is None or ctx.stage not in ("rg", "cg"):
        return Result("cannot_tell", ["The decision's stage or date is missing, so the test in force is unknown."],
                      "decision")
    try:
        test = test_in_force(ctx.stage, ctx.decided_on)
    except LookupError as exc:
        return Result("cannot_tell", [str(exc)], "decision.decided_on")
    in_force = f"Test in force on {fmt(ctx.decided_on)} for {ctx.stage.upper()}: {test.standard}."
    flags = ctx.flags(WRONG_TEST)
    if flags:
        return Result("fail", [_flag_fact(w, f) for w, f in flags] + [in_force], "decision.reasons",
                      data={"legal_test": test.name})
    where = [w for w, text in (("letter", ctx.letter_text), ("reasons", ctx.reasons)) if text and test.is_stated_in(text)]
    if where:
        return Result("pass", [in_force, f"The {' and the '.join(where)} state{'s' if len(where) == 1 else ''} it; "
                               "no wrong standard was flagged."], "letter", data={"legal_test": test.name})
    missing = "the letter could not be checked" if ctx.letter_error else (
        "no letter is held" if not ctx.letter_text else "the letter does not state it")
    return Result("cannot_tell", [in_force, f"The reasons do not state the test and {missing}, so which test was "
                                  "applied cannot be seen."], "letter", data={"legal_test": test.name})


def trauma_considered(ctx: Context, it: ChecklistItem) -> Result:
    flags = ctx.flags(TRAUMA_FLAGS)
    trauma_evidence = [(e, m) for e in ctx.evidence if ctx.had(e) and (m := TRAUMA_WORDS.search(e.summary))]
    ev_facts = [f"{e.label} received on {fmt(e.received_on)} describes trauma (\u201c{m.group(0)}\u201d)."
                for e, m in trauma_evidence]
    if flags:
        return Result("fail", [_flag_fact(w, f) for w, f in flags] + ev_facts, "letter")
    mentioned = [(w, m) for w, text in (("reasons", ctx.reasons), ("letter", ctx.letter_text))
                 if text and (m := TRAUMA_WORDS.search(text))]
    if mentioned:
        return Result("pass", [f"The {' and the '.join(w for w, _ in mentioned)} consider trauma (\u201c"
                               f"{mentioned[0][1].group(0)}\u201d); no dismissal of it was flagged."] + ev_facts,
                      "decision.reasons", confidence=0.8)
    if trauma_evidence:
        return Result("fail", ev_facts + ["Neither the reasons nor the letter mention trauma."], "decision.reasons")
    if ctx.letter_error:
        return Result("cannot_tell", [f"The reasons do not mention trauma and {ctx.letter_error}."], "letter")
    return Result("cannot_tell", ["Neither the reasons nor the letter mention trauma, and nothing was flagged; the "
                                  "record does not show whether its effect on the account was considered."],
                  "decision.reasons")


def asylum_separate(ctx: Context, it: ChecklistItem) -> Result:
    flags = ctx.flags({"asylum-conflation"})
    asylum = ctx.record.get("asylum") or {}
    facts = [_flag_fact(w, f) for w, f in flags]
    author = ctx.decision.get("author")
    if asylum.get("decided_by") and asylum["decided_by"] == author:
        facts.append(f"The asylum claim was decided by {asylum['decided_by']}, who also made this decision.")
    if facts:
        return Result("fail", facts, "letter")
    if asylum.get("decided_by"):
        return Result("pass", [f"The asylum claim was decided by {asylum['decided_by']}"
                               f"{' on ' + fmt(_d(asylum.get('decided_on'))) if asylum.get('decided_on') else ''}, "
                               f"not by {author}; no asylum reasoning was flagged."], "asylum")
    said = "The reasons mention asylum" if ASYLUM_WORDS.search(ctx.reasons) else "No asylum reasoning was flagged"
    return Result("cannot_tell", [f"{said}; the record holds no asylum decision, so who decided any asylum claim, "
                                  "and when, cannot be checked here."], "asylum")


def no_prosecution_dependence(ctx: Context, it: ChecklistItem) -> Result:
    facts = [_flag_fact(w, f) for w, f in ctx.flags({"prosecution-dependence"})]
    reason = ctx.record.get("escalation_reason") or ""
    esc = _d(ctx.record.get("escalated_on"))
    if reason and PROSECUTION_WORDS.search(reason):
        facts.append(f"Escalated on {fmt(esc)} with the reason \u201c{reason.strip()}\u201d.")
    if facts:
        return Result("fail", facts, "decision.reasons")
    if ctx.letter_error:
        return Result("cannot_tell", [f"Nothing found in the reasons, but {ctx.letter_error}."], "letter")
    where = "the reasons or the letter" if ctx.letter_text else "the reasons (no letter is held)"
    return Result("pass", [f"No reliance on a police investigation or prosecution found in {where}."],
                  "decision.reasons", confidence=0.6 if ctx.letter_text else 0.4)


def reasons_given(ctx: Context, it: ChecklistItem) -> Result:
    words = len(ctx.reasons.split())
    if words == 0:
        return Result("fail", ["No reasons are recorded for the decision."], "decision.reasons")
    if words < 25:
        return Result("fail", [f"The reasons are {words} words long: too short to show how the evidence was weighed."],
                      "decision.reasons")
    linked = set(ctx.decision.get("evidence_ids") or [])
    had = [e for e in ctx.evidence if ctx.had(e)]
    named = sorted({e.label for e in had if re.search(SOURCE_WORDS.get(e.source, r"$^"), ctx.reasons, re.IGNORECASE)})
    linked_labels = sorted({e.label for e in had if e.id in linked})
    if had and not linked and not named:
        return Result("fail", [f"The reasons ({words} words) are linked to none of the {len(had)} evidence item(s) the "
                               "panel had and name none of them."], "decision.evidence_ids")
    refs = linked_labels or named
    what = ("; they refer to " + ", ".join(x[0].lower() + x[1:] for x in refs)) if refs else \
        "; the panel had only the referral, which they refer to" if re.search(r"referral", ctx.reasons, re.I) else ""
    if not refs and not what:
        return Result("cannot_tell", [f"The reasons ({words} words) name no evidence and none is linked; the panel had "
                                      "no other evidence."], "decision.reasons")
    return Result("pass", [f"Reasons given ({words} words){what}."], "decision.reasons", confidence=0.8)


def letter_free_of_flaws(ctx: Context, it: ChecklistItem) -> Result:
    if not ctx.letter_text:
        return Result("cannot_tell", ["No letter is held for this decision."], "letter")
    if ctx.letter_error:
        return Result("cannot_tell", [ctx.letter_error[0].upper() + ctx.letter_error[1:] + "."], "letter")
    flags = [f for f in ctx.letter_findings if Level(f.level) != Level.INFO and f.category not in CHILD_LANGUAGE]
    v = f" (version {ctx.letter_version})" if ctx.letter_version else ""
    if flags:
        cats = sorted({f.category.replace("-", " ") for f in flags})
        facts = [f"The letter checker flagged {len(flags)} point(s) in the letter{v}: {', '.join(cats)}."]
        facts += [_flag_fact("letter", f) for f in flags[:4]]
        if len(flags) > 4:
            facts.append(f"… and {len(flags) - 4} more, listed beside the letter.")
        return Result("fail", facts, "letter", data={"categories": sorted({f.category for f in flags})})
    return Result("pass", [f"The letter checker found nothing at warning level in the letter{v}."], "letter")


def child_friendly_language(ctx: Context, it: ChecklistItem) -> Result:
    if not ctx.letter_text:
        return Result("cannot_tell", ["No letter is held for this decision."], "letter")
    if ctx.letter_error:
        return Result("cannot_tell", [ctx.letter_error[0].upper() + ctx.letter_error[1:] + "."], "letter")
    if not (ctx.referral.get("is_child")):
        return Result("cannot_tell", ["The person's age is disputed and the letter was checked as for an adult; "
                                      "read it as a child would."], "letter")
    flags = [f for f in ctx.letter_findings if f.category in CHILD_LANGUAGE and Level(f.level) != Level.INFO]
    minor = sorted({f.evidence["term"] for f in ctx.letter_findings
                    if f.category in CHILD_LANGUAGE and Level(f.level) == Level.INFO and f.evidence.get("term")})
    if flags:
        grade = next((f.evidence.get("flesch_kincaid_grade") for f in flags if "flesch_kincaid_grade" in f.evidence), None)
        words = sorted({f.evidence["term"] for f in flags if f.evidence.get("term")})
        facts = []
        if grade is not None:
            facts.append(f"The letter reads at about school grade {grade:.0f}, above the grade suggested for a child.")
        if words:
            facts.append(f"Official words a child may not follow: {', '.join(words[:8])}.")
        return Result("fail", facts, "letter")
    facts = ["The letter checker found the letter readable for a child."]
    if minor:
        facts.append(f"Words it suggests putting more plainly: {', '.join(minor[:8])}.")
    return Result("pass", facts, "letter")


def _working_days(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (bank holidays not counted out)."""
    days, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days += 1
    return days


def timescales(ctx: Context, it: ChecklistItem) -> Result:
    from qa_checks.legal_tests import recovery_period_days

    if ctx.decided_on is None:
        return Result("cannot_tell", ["The decision has no date."], "decision.decided_on")
    esc = _d(ctx.record.get("escalated_on"))
    reason = (ctx.record.get("escalation_reason") or "").strip()
    escalated = (f"Escalation recorded on {fmt(esc)}" + (f" (\u201c{reason}\u201d)" if reason else "") + ".") \
        if esc and esc <= ctx.decided_on else None
    if ctx.stage == "rg":
        start = _d(ctx.record.get("accepted_on")) or _d(ctx.referral.get("received_on"))
        if start is None:
            return Result("cannot_tell", ["The referral has no date."], "referral.received_on")
        wd = _working_days(start, ctx.decided_on)
        fact = (f"RG decision on {fmt(ctx.decided_on)}, {wd} working day{'s' if wd != 1 else ''} after the referral "
                f"was taken on ({fmt(start)}); the target is {RG_TARGET_WORKING_DAYS}.")
        limit_ok = wd <= RG_TARGET_WORKING_DAYS
    else:
        rg_on = _d(ctx.record.get("rg_decided_on"))
        if rg_on is None:
            return Result("cannot_tell", ["No RG decision date is held, so the CG timescale cannot be counted."],
                          "decisions")
        period = recovery_period_days(rg_on)
        days = (ctx.decided_on - rg_on).days
        fact = (f"CG decision on {fmt(ctx.decided_on)}, {days} days after the RG decision ({fmt(rg_on)}); the "
                f"recovery period then was {period} days.")
        limit_ok = days <= period
    if limit_ok:
        return Result("pass", [fact], "decision.decided_on")
    if escalated:
        return Result("pass", [fact, escalated], "escalated_on")
    return Result("fail", [fact, "No escalation is recorded before the decision."], "escalated_on")


def detention_endorsed(ctx: Context, it: ChecklistItem) -> Result:
    detention = ctx.referral.get("detention")
    kinds = {"immigration_detention": "immigration detention", "prison": "prison"}
    kind = kinds.get(detention, str(detention)) if isinstance(detention, str) else str(detention)
    on = _d(ctx.referral.get("detention_endorsed_on"))
    if on is None:
        return Result("fail", [f"Referred from {kind}; no endorsement is recorded."], "referral.detention_endorsed_on")
    if ctx.decided_on and on > ctx.decided_on:
        return Result("fail", [f"Referred from {kind}; endorsed on {fmt(on)}, after the decision on {fmt(ctx.decided_on)}."],
                      "referral.detention_endorsed_on")
    return Result("pass", [f"Referred from {kind}; endorsed on {fmt(on)}."], "referral.detention_endorsed_on")


def consent_recorded(ctx: Context, it: ChecklistItem) -> Result:
    given, signed = ctx.referral.get("consent_given"), ctx.referral.get("consent_signed")
    if given is False or signed is False:
        what = "Consent is recorded as not given." if given is False else "Consent was given but the form is not signed."
        return Result("fail", [what], "referral.consent_signed")
    if given is None or signed is None:
        return Result("cannot_tell", ["Consent is not recorded either way on the referral."], "referral.consent_given")
    return Result("pass", ["Consent given and the referral form signed."], "referral.consent_signed")


CHECKS: dict[str, Callable[[Context, ChecklistItem], Result]] = {
    f.__name__: f for f in (evidence_considered, source_information, right_test, trauma_considered, asylum_separate,
                            no_prosecution_dependence, reasons_given, letter_free_of_flaws, child_friendly_language,
                            timescales, detention_endorsed, consent_recorded)
}


# ------------------------------------------------------------------------------------------ entry point

def pre_assess(record: Record, *, letter_findings: list[Finding] | None = None, use_model: bool = True
               ) -> list[Finding]:
    """One Finding per checklist item that applies to this record, in checklist order.

    ``letter_findings``: the letter checker's findings if the caller already has them (they are shown
    beside the letter too); otherwise the letter is checked here. A check that raises is reported as
    "cannot tell" with the reason, never as a pass.
    """
    ctx = _context(record, letter_findings, use_model)
    out: list[Finding] = []
    for it in applicable_items(record):
        try:
            res = CHECKS[it.check](ctx, it)
        except Exception as exc:  # lazily: every item still gets a finding
            res = Result("cannot_tell", [f"The check could not run ({type(exc).__name__}: {exc})."], "record")
        out.append(_finding(it, res))
    return out


def _finding(it: ChecklistItem, res: Result) -> Finding:
    assert res.status in STATUSES, res.status
    level = Level(it.level) if res.status == "fail" else Level.WARNING if res.status == "cannot_tell" else Level.INFO
    headline = res.facts[0] if res.facts else ""
    return Finding(rule_id=f"procedure.{it.id}", category=it.id, level=level,
                   message=f"{_PREFIX[res.status]}: {headline}", field=res.field, confidence=res.confidence,
                   rationale=it.text, source=it.source, suggestion=it.reviewer_hint, raised_by="procedure",
                   evidence={"status": res.status, "facts": list(res.facts), "item": it.id, **res.data})
