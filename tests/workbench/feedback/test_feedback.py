"""Lead feedback (review 5.4.3): suppression of small numbers everywhere a trainer looks or exports, no
referred person's identity anywhere, stored scores that match the checks, and the same facts as analytics."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy import select

from qa_checks.feedback.referrals import check_referral, validate_referral_record
from workbench.core.errors import AccessDenied, UserError
from workbench.core.session import Session
from workbench.core.tables import Referral, ReferralQuality
from workbench.feedback.actions import lead_feedback, record_feedback_export
from workbench.feedback.data import leads_frame, load_frame
from workbench.feedback.referral_records import check_record_of
from workbench.feedback.report import report_html, view_html
from workbench.feedback.scoring import criteria_version, score_all, stale_count
from workbench.feedback.views import (
    MIN_BASE,
    MIN_COUNT,
    FeedbackData,
    count_out,
    count_text,
    leads_export,
    rate,
    stat,
)
from workbench.overview.figures import referral_outcomes_frame

IDENTITY_COLUMNS = {"person_name", "date_of_birth", "narrative", "encounter_circumstances", "person_pseudonym"}


@pytest.fixture(scope="module")
def data(demo_db_file):
    from workbench.core.store import open_store

    st = open_store(demo_db_file)
    with st.read() as s:
        frame = load_frame(s)
    st.dispose()
    return FeedbackData(frame)


def all_views(data):
    for kind in ("lead", "organisation", "region"):
        for _label, key in data.options(kind):
            yield data.view(kind, key)


def count_fields(view) -> list:
    """Every count the view shows (the values, suppressed or not)."""
    out = [view.referrals, view.peer_referrals, view.leads, view.peer_leads]
    for b in view.score_bands:
        out += [b["subject_count"], b["peer_count"]]
    for q in view.quarters:
        out += [q["referrals"], q["peer_referrals"]]
    for c in view.criteria:
        out.append(c["subject_count"])
    for r in view.return_reasons:
        out += [r["subject_count"], r["peer_count"]]
    return out


def _as_int(v):
    if isinstance(v, int):
        return v
    text = str(v).replace(",", "")
    return int(text) if text.isdigit() else None


# ---- the suppression rule ---------------------------------------------------------------------

@pytest.mark.parametrize("n", range(0, 5))
def test_a_count_under_five_is_shown_as_less_than_five(n):
    assert count_out(n) == "<5" and count_text(n) == "<5"


def test_a_count_of_five_or_more_is_shown_as_it_is():
    assert count_out(5) == 5 and count_text(1234) == "1,234"


def test_a_rate_over_fewer_than_ten_referrals_is_withheld():
    for base in range(1, MIN_BASE):
        for part in range(0, base + 1):
            r = rate(part, base)
            assert r.value is None and r.withheld and "withheld" in r.text
            assert r.base == "<5" or r.base >= MIN_COUNT


def test_a_rate_never_lets_a_count_under_five_be_worked_back():
    for base in range(MIN_BASE, 60):
        for part in range(0, base + 1):
            r = rate(part, base)
            if r.value is not None:
                assert part >= MIN_COUNT and base - part >= MIN_COUNT
                assert r.text == f"{100 * part / base:.0f}%"
            elif part < MIN_COUNT:
                assert r.text.startswith("under ")
                bound = int(r.text.split()[1].rstrip("%"))
                assert 100 * part / base < bound  # a true statement about the rate
            else:
                assert r.text.startswith("over ")


def test_a_mean_or_median_over_fewer_than_ten_is_withheld():
    assert stat(pd.Series([80.0] * 9)).value is None
    assert stat(pd.Series([80.0] * 10)).text == "80"
    assert stat(pd.Series([3.0] * 12), "median", " days").text == "3 days"


# ---- suppression everywhere a trainer looks -----------------------------------------------------

def test_no_count_under_five_is_shown_in_any_lead_organisation_or_region_view(data):
    views = list(all_views(data))
    assert len(views) > 40
    small_seen = False
    for v in views:
        for value in count_fields(v):
            n = _as_int(value)
            assert n is None and value == "<5" or n is not None and n >= MIN_COUNT, (v.title, value)
            small_seen |= value == "<5"
        for m in v.metrics:
            for text, value in ((m.subject, m.subject_value), (m.peer, m.peer_value)):
                assert value is None or not text.startswith(("under", "over", "withheld"))
    assert small_seen, "the demo data should include small groups, or this test proves nothing"


def test_no_count_under_five_is_shown_in_the_dashboard_or_report_html(data):
    leads = data.leads.sort_values("referrals")
    small = int(leads.iloc[0]["lead_id"])
    assert int(leads.iloc[0]["referrals"]) < MIN_BASE
    checked = 0
    for lead_id in (small, int(leads.iloc[-1]["lead_id"])):
        view = data.view("lead", lead_id)
        html = report_html(view)
        for table in ("fb-volume", "fb-bands", "fb-quarters", "fb-criteria", "fb-reasons"):
            m = re.search(rf"data-testid='{table}'>(.*?)</table>", html, re.S)
            if m is None:
                continue
            for cell in re.findall(r"<td class='n[^']*'>([^<]*)</td>", m.group(1)):
                lead = re.match(r"([\d,]+)(?:\s|$)", cell)  # a count, alone or before "(share)"
                if lead and "." not in cell.split()[0]:
                    assert int(lead.group(1).replace(",", "")) >= MIN_COUNT, (table, cell)
                    checked += 1
    assert checked > 10


def test_a_small_lead_shows_less_than_five_and_withheld_rates(data):
    row = data.leads.sort_values("referrals").iloc[0]
    view = data.view("lead", int(row["lead_id"]))
    assert view.referrals == ("<5" if row["referrals"] < 5 else int(row["referrals"]))
    assert all(m.subject_value is None for m in view.metrics)
    assert all(m.subject.startswith(("withheld", "none")) for m in view.metrics)


def test_charts_are_drawn_only_from_shown_figures(data):
    from workbench.feedback.charts import CHARTS

    view = data.view("lead", int(data.leads.sort_values("referrals").iloc[0]["lead_id"]))
    for make in CHARTS.values():
        spec = make(view).to_dict(validate=False)
        for rows in spec.get("datasets", {}).values():
            for r in rows:
                v = r.get("referrals")
                assert v is None or v >= MIN_COUNT


def test_the_leads_export_suppresses_small_referral_counts(store):
    with store.read() as s:
        leads = leads_export(leads_frame(s))
    assert leads and set(leads[0]) == {"id", "organisation", "organisation_type", "region", "referrals"}
    assert any(l["referrals"] == "<5" for l in leads)
    assert all(l["referrals"] == "<5" or (isinstance(l["referrals"], int) and l["referrals"] >= 5) for l in leads)


# ---- a trainer never sees who a referred person is -----------------------------------------------

def test_no_referred_persons_name_appears_in_any_trainer_view_or_report(store):
    with store.read() as s:
        names = [n for n in s.scalars(select(Referral.person_name)) if n]
        dobs = {d.isoformat() for d in s.scalars(select(Referral.date_of_birth)) if d}
    assert len(names) > 500
    trainer = Session(store, "trainer")
    frame = lead_feedback(trainer)
    assert not IDENTITY_COLUMNS & set(frame.columns)
    data = FeedbackData(frame)
    texts = [view_html(v, svgs={}) for v in all_views(data)]
    big = data.leads.sort_values("referrals").iloc[-1]
    texts.append(report_html(data.view("lead", int(big["lead_id"]))))
    texts.append(repr(leads_export(data)))
    blob = "\n".join(texts)
    found = [n for n in names if n in blob]
    assert not found, f"referred people's names shown to a trainer: {found[:3]}"
    # Parts of names (a surname on its own) must not appear either, nor any date of birth.
    surnames = {n.split()[-1] for n in names if len(n.split()[-1]) > 3}
    words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", re.sub(r"<[^>]+>", " ", blob)))
    lead_words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", " ".join(data.leads["organisation"]) + " " +
                                " ".join(data.leads["region"])))
    assert not (surnames & words) - lead_words
    assert not [d for d in dobs if d in blob]


def test_a_panel_chair_may_not_see_lead_feedback_and_an_admin_may_not_export_it(store):
    with pytest.raises(AccessDenied):
        lead_feedback(Session(store, "chair-london"))
    with pytest.raises(AccessDenied):
        record_feedback_export(Session(store, "admin"), ["SSL-00001"], "x.html")
    record_feedback_export(Session(store, "trainer"), ["SSL-00001"], "x.html")


# ---- the facts and the stored scores ------------------------------------------------------------

def test_the_feedback_frame_agrees_with_the_analytics_frame(store):
    with store.read() as s:
        ours = load_frame(s)
        theirs = referral_outcomes_frame(s)
    m = ours.merge(theirs, on="case_id", suffixes=("", "_a"))
    assert len(m) == len(theirs) == len(ours)
    for col in ("returned", "rg_outcome", "days_to_rg", "days_to_cg", "lead_id", "region"):
        a, b = m[col], m[f"{col}_a"]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert (m["cg_outcome"].fillna("-") == m["cg_latest"].fillna("-")).all()


def test_a_peer_scoped_read_holds_exactly_that_peer_groups_referrals(store):
    with store.read() as s:
        everything = load_frame(s)
        scoped = load_frame(s, scopes=[{"organisation_type": "police", "region": "London"}])
    expect = everything[(everything.organisation_type == "police") & (everything.region == "London")]
    assert sorted(scoped.referral_id) == sorted(expect.referral_id)
    a = scoped.set_index("referral_id")["score"].sort_index()
    b = expect.set_index("referral_id")["score"].sort_index()
    assert (a == b).all()


def test_every_referral_has_a_stored_score_equal_to_the_checks(store):
    assert stale_count(store) == 0
    with store.read() as s:
        rows = s.execute(select(Referral, ReferralQuality).join(
            ReferralQuality, ReferralQuality.referral_id == Referral.id).order_by(Referral.id).limit(60)).all()
        for ref, q in rows:
            result = check_referral(check_record_of(ref, ref.lead))
            assert q.score == result.score and q.would_be_returned == result.would_be_returned
            failed = [c for c, b in result.breakdown.items() if b.applicable and not b.passed]
            assert q.failed_criteria == failed
            assert q.criteria_version == criteria_version()


def test_rescoring_a_few_referrals_replaces_only_theirs(store):
    with store.transaction() as s:
        s.execute(ReferralQuality.__table__.update().where(ReferralQuality.referral_id.in_([1, 2]))
                  .values(score=0, criteria_version="old"))
    assert stale_count(store) == 2
    out = score_all(store, ids=[1, 2])
    assert out["referrals"] == 2 and stale_count(store) == 0


def test_the_record_adapter_gives_the_checks_a_valid_nested_record(store):
    with store.read() as s:
        for ref in s.scalars(select(Referral).limit(200)):
            rec = check_record_of(ref, ref.lead)
            validate_referral_record(rec)
            assert rec["person"]["is_child"] == ref.is_child and rec["lead"]["id"] == ref.lead.code
            assert "person_name" not in rec and "is_child" not in rec


def test_tiers_show_in_the_scores(data):
    """The demo's thorough and tick-box leads differ, so feedback has something to say."""
    by_lead = data.df.groupby("lead_id")["score"].mean()
    assert by_lead.max() - by_lead.min() > 25


def test_a_lead_is_compared_with_other_leads_of_its_type_and_region(data):
    row = data.leads.sort_values("referrals").iloc[-1]
    subject, peers, *_ = data.masks("lead", int(row["lead_id"]))
    df = data.df
    assert (df[subject]["lead_id"] == row["lead_id"]).all()
    p = df[peers]
    assert (p["organisation_type"] == row["organisation_type"]).all() and (p["region"] == row["region"]).all()
    assert not (p["lead_id"] == row["lead_id"]).any()


def test_an_unknown_choice_is_a_sentence(data):
    with pytest.raises(UserError, match="no lead"):
        data.view("lead", 999999)
    with pytest.raises(UserError, match="no region"):
        data.view("region", "Atlantis")


def test_the_dashboard_says_when_scores_are_out_of_date(store):
    from widgets.feedback.lead_feedback import LeadFeedback

    app = LeadFeedback(Session(store, "trainer"))._app
    assert app.stale.value == ""
    with store.transaction() as s:
        s.execute(ReferralQuality.__table__.update().where(ReferralQuality.referral_id <= 3)
                  .values(criteria_version="0:old"))
    app = LeadFeedback(Session(store, "trainer"))._app
    assert "3 referrals" in app.stale.value


def test_the_dashboard_switches_and_exports_without_a_browser(store, tmp_path, monkeypatch):
    from widgets.feedback.lead_feedback import LeadFeedback

    monkeypatch.setenv("WORKBENCH_EXPORTS", str(tmp_path))
    app = LeadFeedback(Session(store, "trainer"))._app
    first = app.current.title
    app.choice.value = app.choice.options[3][1]
    assert app.current.title != first and app.current.title in app.body.value
    html = app.export_one()
    assert html and "report-download" in app.export_out.value
    app.kind.value = "organisation"
    paths = app.export_batch()
    assert paths and all(p.exists() for p in paths) and app.progress.value == len(paths)
    admin = LeadFeedback(Session(store, "admin"))._app  # may look, may not export
    assert not admin.can_export and admin.export_one() is None and "may not" in admin.export_out.value
