"""The letter check's logic without Jupyter: highlighted HTML built from escaped pieces, findings grouped,
responses to flags kept (append-only, audited, permission-checked) and matched back to the flags."""
from __future__ import annotations

import io
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from qa_checks import Finding, check_letter
from qa_checks.finding import Level
from qa_checks.letters.reader import LetterInputError, read_letter_bytes
from workbench.core.audit import verify
from workbench.core.errors import AccessDenied, UserError
from workbench.core.session import Session
from workbench.core.tables import AuditEntry, Case, FindingResponse, LetterDraft, Panel
from workbench.letters import responses as lr
from workbench.letters.actions import finding_responses, respond_to_finding
from workbench.walkthrough.actions import save_letter

# Written for these tests (not from the corpus): several flawed phrasings and some hostile markup.
LETTER = (
    "Dear Mr Sample,\n\n"
    "You claim that you were made to work on a farm for no pay. <script>alert('pwned')</script>\n"
    "There is no external corroboration of your account and you could not give the name of the farm.\n"
    "You have not received counselling, so there is no evidence of trauma. <img src=x onerror=\"alert(1)\">\n"
    "The police have not charged anyone, so the panel cannot be satisfied.\n\n"
    "Yours sincerely,\nThe Panel & Co <b>bold</b>\n"
)


def f(rule, cat, start, end, **kw) -> Finding:
    return Finding(rule_id=rule, category=cat, level=Level.WARNING, message="m", start=start, end=end, **kw)


class _Text(HTMLParser):
    """What a browser would show as text (tags dropped, entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.tags = [], []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":  # the numbered labels after each highlight are not part of the letter
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a":
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def shown(html: str) -> tuple[str, list[str]]:
    p = _Text()
    p.feed(html)
    return "".join(p.parts), p.tags


# ---- the highlighted letter ---------------------------------------------------------------------------
def test_hostile_markup_in_a_letter_is_shown_as_text_and_never_becomes_a_tag():
    findings = check_letter(LETTER, use_model=False)
    html = lr.highlight_html(LETTER, findings)
    text, tags = shown(html)
    assert text == LETTER  # every character of the letter, in order, as text
    assert not {"script", "img", "b"} & set(tags)
    assert "<script>" not in html and "&lt;script&gt;" in html and "onerror=&quot;" in html


def test_each_flag_is_a_mark_of_its_category_followed_by_a_numbered_text_label():
    findings = check_letter(LETTER, use_model=False)
    spans, whole = lr.split_findings(findings)
    assert {s.category for s in spans} >= {"claimed-language", "corroboration-demand", "trauma-dismissal",
                                           "prosecution-dependence"}
    assert {w.category for w in whole} == {"no-review-route", "standard-of-proof-missing"}
    html = lr.highlight_html(LETTER, findings)
    for i, s in enumerate(spans, 1):
        assert f'class="{lr.css_class(s.category)}' in html
        assert f"{i} · {lr.category_label(s.category)}</a>" in html  # the label, not colour alone
    assert 'id="lc-f1"' in html


def test_overlapping_and_out_of_range_spans_keep_the_text_whole():
    text = "abcdefghij"
    findings = [f("r1", "claimed-language", 1, 6), f("r2", "trauma-dismissal", 3, 5), f("r3", "late-disclosure", 8, 99)]
    segs = lr.segments(text, lr.split_findings(findings)[0])
    assert "".join(text[s.start:s.end] for s in segs) == text
    assert [(text[s.start:s.end], s.findings) for s in segs] == [
        ("a", ()), ("bc", (0,)), ("de", (0, 1)), ("f", (0,)), ("gh", ()), ("ij", (2,))]
    html = lr.highlight_html(text, findings)
    assert shown(html)[0] == text
    assert 'lc-overlap" data-findings="1 2"' in html
    # the inner (more specific) span decides the colour where two overlap
    assert f'<mark class="{lr.css_class("trauma-dismissal")} lc-overlap"' in html


def test_an_empty_span_or_a_whole_letter_finding_is_not_highlighted():
    text = "Some letter."
    whole = Finding(rule_id="x.document", category="no-review-route", level=Level.WARNING, message="m",
                    start=0, end=0, field="document")
    html = lr.highlight_html(text, [whole, f("r", "claimed-language", 4, 4)])
    assert "<mark" not in html and shown(html)[0] == text


def test_group_findings_orders_categories_by_first_appearance_then_whole_letter():
    findings = [f("a", "trauma-dismissal", 20, 25), f("b", "claimed-language", 1, 4), f("c", "claimed-language", 30, 33),
                Finding(rule_id="d", category="no-review-route", level=Level.WARNING, message="m", field="document")]
    groups = lr.group_findings(findings)
    assert [c for c, _ in groups] == ["claimed-language", "trauma-dismissal", "no-review-route"]
    assert [x.rule_id for x in groups[0][1]] == ["b", "c"]


def test_every_category_in_the_rules_has_a_label_and_a_distinct_colour():
    from qa_checks.letters.rules import load_rules
    categories = set(load_rules().categories) | {"child-readability", "standard-of-proof-missing", "no-review-route"}
    assert categories <= set(lr.CATEGORY_STYLE)
    in_text = [c for c in lr.CATEGORY_STYLE if c not in ("child-readability", "standard-of-proof-missing",
                                                          "no-review-route")]
    colours = [lr.category_colours(c)[0] for c in in_text]
    assert len(set(colours)) == len(colours)
    labels = [lr.category_label(c) for c in lr.CATEGORY_STYLE]
    assert len(set(labels)) == len(labels)
    legend = lr.legend_html()
    for c in in_text:
        assert lr.category_label(c) in legend.replace("&amp;", "&") and c in legend


def test_finding_html_escapes_the_excerpt_and_says_who_raised_it():
    text = "You claim <img src=x onerror=alert(1)> that."
    rule = f("claimed-language.x", "claimed-language", 0, 38, rationale="why <b>", source="7.2.12",
             suggestion="Write 'you told us'")
    model = f("claimed-language.model", "claimed-language", 0, 9, raised_by="model", confidence=0.873)
    html = lr.finding_html(text, rule, 1)
    assert "<img" not in html and "&lt;img" in html and "why &lt;b&gt;" in html
    assert "Why:" in html and "Try instead:" in html and "Source: 7.2.12" in html and "raised by a rule" in html
    assert "raised by the model (confidence 87%)" in lr.finding_html(text, model, 2)


# ---- responses: validation and matching ---------------------------------------------------------------
def test_a_dismissal_needs_a_reason_and_an_action_is_accept_or_dismiss():
    finding = check_letter(LETTER, use_model=False)[-1]
    now = datetime(2024, 1, 1)
    with pytest.raises(UserError, match="say why you are dismissing"):
        lr.response_row(LETTER, finding, "dismiss", "   ", user="u", at=now)
    with pytest.raises(UserError, match="'accept' or 'dismiss'"):
        lr.response_row(LETTER, finding, "ignore", "x", user="u", at=now)
    with pytest.raises(UserError, match="does not point into the letter"):
        lr.response_row("short", finding, "accept", None, user="u", at=now)
    row = lr.response_row(LETTER, finding, "accept", None, user="u", at=now)
    assert row.excerpt == LETTER[finding.start:finding.end] and row.text_sha256 == lr.text_sha256(LETTER)


def test_the_excerpt_is_at_most_200_characters():
    text = "word " * 100
    assert len(lr.excerpt(text, f("r", "claimed-language", 0, len(text)))) == 200


def _record(id, rule, sha, start, end, words, action="dismiss", case_id=None, reason="r"):
    return lr.FindingResponseRecord(id, case_id, None, sha, rule, "claimed-language", start, end, words, "rule",
                                    1.0, action, reason, "u", datetime(2024, 1, id))


def test_a_response_matches_its_flag_exactly_and_after_an_edit_only_if_made_here_or_on_the_same_case():
    text = "You claim that it happened."
    edited = "Dear X. " + text
    flag, moved = f("r", "claimed-language", 0, 14), f("r", "claimed-language", 8, 22)
    elsewhere = _record(1, "r", "other-letter", 0, 14, "You claim that")
    book = lr.ResponseBook([elsewhere])
    assert book.lookup(text, flag) is None  # same words on another pasted letter: not this flag
    exact = _record(2, "r", lr.text_sha256(text), 0, 14, "You claim that")
    book.add(exact)
    assert book.lookup(text, flag) == exact
    assert book.lookup(edited, moved) == exact  # made in this view: follows the words
    assert lr.ResponseBook([exact]).lookup(edited, moved) is None  # loaded from before: not assumed
    on_case = _record(3, "r", "earlier-version", 0, 14, "You claim that", case_id=7)
    assert lr.ResponseBook([on_case], case_id=7).lookup(edited, moved) == on_case
    changed_mind = _record(4, "r", lr.text_sha256(text), 0, 14, "You claim that", action="accept")
    book.add(changed_mind)
    assert book.lookup(text, flag) == changed_mind  # the latest answer counts


def test_summary_counts_each_flags_latest_answer_and_puts_most_dismissed_rules_first():
    recs = [_record(1, "a", "s1", 0, 1, "x", "dismiss", reason="quoted"),
            _record(2, "a", "s1", 0, 1, "x", "accept"),  # changed mind: counts once, as accepted
            _record(3, "a", "s2", 0, 1, "x", "accept"),
            _record(4, "b", "s1", 5, 9, "y", "dismiss", reason="not about credibility"),
            _record(5, "b", "s3", 5, 9, "y", "dismiss", reason="standard wording")]
    rows = lr.summarise_responses(recs)
    assert [(r["rule_id"], r["accepted"], r["dismissed"]) for r in rows] == [("b", 0, 2), ("a", 2, 0)]
    assert rows[0]["dismissed_share"] == 1.0 and rows[0]["reasons"] == ["standard wording", "not about credibility"]
    assert "standard wording" in lr.summary_html(rows)


# ---- responses through the Session --------------------------------------------------------------------
def _london_case(store, closed=False):
    with store.read() as s:
        pid = s.scalar(select(Panel.id).where(Panel.name == "London"))
        return s.scalars(select(Case.id).where(Case.panel_id == pid).order_by(Case.id)).first()


def test_a_response_to_pasted_text_is_kept_with_no_case_and_audited(store):
    chair = Session(store, "chair-london")
    finding = next(x for x in check_letter(LETTER, use_model=False) if x.category == "claimed-language")
    rec = respond_to_finding(chair, LETTER, finding, "dismiss", "  The letter quotes the referral.  ")
    assert rec.case_id is None and rec.letter_draft_id is None and rec.reason == "The letter quotes the referral."
    assert (rec.start, rec.end, rec.excerpt) == (finding.start, finding.end, "You claim that")
    assert rec.raised_by == "rule" and rec.confidence == 1.0 and rec.user == "chair-london"
    with store.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.record_type, entry.record_id) == ("respond", "finding_response", str(rec.id))
        assert entry.detail["rule_id"] == finding.rule_id and entry.detail["action"] == "dismiss"
        assert verify(s).intact


def test_a_change_of_mind_is_a_new_row_and_both_are_kept(store):
    chair = Session(store, "chair-london")
    finding = check_letter(LETTER, use_model=False)[-1]
    first = respond_to_finding(chair, LETTER, finding, "dismiss", "Not relevant here.")
    second = respond_to_finding(chair, LETTER, finding, "accept")
    mine = finding_responses(chair, mine=True)
    assert [r.id for r in mine] == [second.id, first.id] and [r.action for r in mine] == ["accept", "dismiss"]


def test_a_dismissal_without_a_reason_writes_nothing(store):
    chair = Session(store, "chair-london")
    finding = check_letter(LETTER, use_model=False)[-1]
    with pytest.raises(UserError):
        respond_to_finding(chair, LETTER, finding, "dismiss", "")
    assert finding_responses(chair, mine=True) == []


def test_a_response_on_a_case_needs_the_case_in_scope(store):
    case_id = _london_case(store)
    finding = check_letter(LETTER, use_model=False)[-1]
    assert respond_to_finding(Session(store, "chair-london"), LETTER, finding, "accept", case_id=case_id).case_id == case_id
    with pytest.raises(AccessDenied):
        respond_to_finding(Session(store, "chair-wales"), LETTER, finding, "accept", case_id=case_id)
    with pytest.raises(AccessDenied):
        respond_to_finding(Session(store, "trainer"), LETTER, finding, "accept")


def test_a_response_to_a_saved_draft_names_the_draft_and_its_case(store):
    case_id = _london_case(store)
    chair = Session(store, "chair-london")
    with store.read() as s:
        versions = s.scalars(select(LetterDraft.version).where(LetterDraft.case_id == case_id)).all()
    draft = save_letter(chair, case_id, LETTER, based_on_version=max(versions) if versions else None)
    finding = check_letter(LETTER, use_model=False)[-1]
    rec = respond_to_finding(chair, LETTER, finding, "accept", letter_draft_id=draft.id)
    assert (rec.letter_draft_id, rec.case_id) == (draft.id, case_id)
    other = _london_case(store) + 1
    with pytest.raises((UserError, AccessDenied)):
        respond_to_finding(chair, LETTER, finding, "accept", case_id=other, letter_draft_id=draft.id)


def test_qa_sees_every_reviewers_responses_but_not_the_words_of_a_case_they_may_not_open(store):
    case_id = _london_case(store)
    finding = next(x for x in check_letter(LETTER, use_model=False) if x.category == "claimed-language")
    respond_to_finding(Session(store, "chair-london"), LETTER, finding, "dismiss", "Quoted.", case_id=case_id)
    respond_to_finding(Session(store, "chair-london"), LETTER, finding, "dismiss", "Pasted, no case.")
    with pytest.raises(AccessDenied):
        finding_responses(Session(store, "chair-wales"))
    qa = finding_responses(Session(store, "reviewer-wales"))
    assert {r.reason for r in qa} == {"Quoted.", "Pasted, no case."}
    by_reason = {r.reason: r for r in qa}
    assert by_reason["Quoted."].excerpt is None  # a London case reviewer-wales is not assigned
    assert by_reason["Pasted, no case."].excerpt == "You claim that"
    manager = finding_responses(Session(store, "case-manager"), rule_id=finding.rule_id, action="dismiss")
    assert {r.excerpt for r in manager} == {"You claim that"}
    assert finding_responses(Session(store, "chair-wales"), mine=True) == []


def test_a_database_built_before_responses_were_kept_gains_the_table_on_first_use(store):
    with store.engine.begin() as c:
        c.execute(sql("DROP TABLE finding_responses"))
    store._finding_responses_ready = False
    chair = Session(store, "chair-london")
    finding = check_letter(LETTER, use_model=False)[-1]
    respond_to_finding(chair, LETTER, finding, "accept")
    with store.read() as s:
        assert s.scalar(select(FindingResponse.action)) == "accept"


# ---- the shared file-reading path (the CLI and the app's upload) -------------------------------------
def test_uploaded_bytes_are_read_like_files():
    import docx

    doc = docx.Document()
    doc.add_paragraph("You claim that you were forced to work.")
    doc.add_paragraph("<script>alert(1)</script>")
    buf = io.BytesIO()
    doc.save(buf)
    assert read_letter_bytes("draft.docx", buf.getvalue()) == "You claim that you were forced to work.\n<script>alert(1)</script>"
    assert read_letter_bytes("draft.txt", "\ufeffDear X,\r\nText".encode("utf-8")) == "Dear X,\r\nText"
    for name, data, message in [("a.txt", b"\xff\xfe bad", "not valid UTF-8"), ("a.txt", b"  ", "is empty"),
                                ("a.pdf", b"%PDF", "a PDF cannot be read"), ("a.docx", b"not a zip", "not a readable .docx"),
                                ("a.txt", b"x" * (10 * 1024 * 1024 + 1), "over 10 MB")]:
        with pytest.raises(LetterInputError, match=message):
            read_letter_bytes(name, data)


def test_sha256_is_of_the_text_as_checked():
    assert lr.text_sha256("a") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    assert lr.text_sha256("\ud800") != lr.text_sha256("")  # a lone surrogate pasted in does not crash
