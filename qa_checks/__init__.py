"""Pure checks over text and plain records. No Jupyter, no database."""
from qa_checks.finding import Finding, Level
from qa_checks.legal_tests import LegalTest, recovery_period_days, test_in_force
from qa_checks.letters import check_letter

__all__ = ["Finding", "Level", "check_letter", "LegalTest", "test_in_force", "recovery_period_days"]
