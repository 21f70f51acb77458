"""Errors a user can act on. The CLI prints these as one line on stderr and exits 2."""


class UserError(Exception):
    """Bad input, unknown user, missing file: say what, where, and what to do."""


class AccessDenied(UserError):
    """The signed-in user's role does not allow this action."""


class StaleSave(Exception):
    """A save was based on an out-of-date version; nothing was written."""

    def __init__(self, record: str, record_id, expected: int, found: int, changed_by: str | None,
                 changed_at=None, changes: dict | None = None):
        self.record, self.record_id = record, record_id
        self.expected, self.found = expected, found
        self.changed_by, self.changed_at = changed_by, changed_at
        self.changes = changes or {}
        who = changed_by or "someone else"
        what = ", ".join(sorted(self.changes)) or "this record"
        super().__init__(
            f"{record} {record_id} was changed by {who}"
            + (f" at {changed_at:%Y-%m-%d %H:%M}" if changed_at else "")
            + f" ({what}) since you opened it (your version {expected}, now {found}). "
            "Nothing was saved; reload to see their change, then apply yours again."
        )
