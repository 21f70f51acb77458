"""Pure checks over text and plain records. No Jupyter, no database."""
from qa_checks.finding import Finding, Level

__all__ = ["Finding", "Level"]
