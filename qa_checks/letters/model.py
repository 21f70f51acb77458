"""Placeholder until the model lands (replaced below)."""
class ModelError(RuntimeError):
    pass


def model_findings(text, sentences, quotes, ruleset, rule_hits):
    return []
