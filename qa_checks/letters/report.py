"""Findings as the CLI prints them: `path:line:col: level category message`, or one JSON object."""
from __future__ import annotations

import json

from qa_checks.finding import Finding, Level
from qa_checks.letters.text import line_col

JSON_FIELDS = ("category", "start", "end", "level", "message", "suggestion", "source", "rule_id", "confidence",
               "raised_by")


def finding_json(f: Finding) -> dict:
    d = {k: getattr(f, k) for k in JSON_FIELDS}
    d["level"] = Level(f.level).value
    d["confidence"] = round(float(f.confidence), 3)
    return d


def as_json(results: list[tuple[str, str, list[Finding]]]) -> str:
    """``results``: (path as given, text, findings) per input."""
    return json.dumps({"results": [{"path": path, "findings": [finding_json(f) for f in fs]}
                                   for path, _text, fs in results]}, indent=2, ensure_ascii=False)


def as_text(results: list[tuple[str, str, list[Finding]]]) -> str:
    lines = []
    for path, text, fs in results:
        for f in fs:
            line, col = line_col(text, f.start or 0)
            who = f" [model {f.confidence:.2f}]" if f.raised_by == "model" else ""
            lines.append(f"{path}:{line}:{col}: {Level(f.level).value} {f.category} {f.message}{who}")
    return "\n".join(lines)


def training_report(run) -> str:
    """Held-out figures for the model alone and for rules + model, per category, in plain text."""
    lines = [f"trained in {run.seconds:.1f} s on {run.n_train} sentences; held out {run.n_heldout} "
             f"(never trained on); threshold {run.threshold:.2f}"]
    for name, m in (("model alone", run.heldout), ("rules + model (check_letter)", run.heldout_checker)):
        lines.append(f"{name}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                     f"clean sentences flagged {m['clean_flag_rate']:.1%}  (targets >= 0.90, >= 0.85, < 3%)")
        for cat, c in m["per_category"].items():
            lines.append(f"    {cat:28s} precision {c['precision']:.2f}  recall {c['recall']:.2f}  n={c['n']}")
    return "\n".join(lines)
