"""The exception hierarchy. The library raises these; cli/ maps them to exit codes."""


class ConflictmapError(Exception):
    """Base of every error the library raises on purpose; the message is one line for a user."""

    exit_code = 1


class InputError(ConflictmapError):
    """The data is wrong: unreadable file, bad row, unknown district (exit 1)."""


class UsageError(ConflictmapError):
    """The request is wrong: bad option value, missing argument (exit 2)."""

    exit_code = 2


class Problem:
    """A non-fatal finding (repaired geometry, dropped duplicate) kept for the caller to report."""

    __slots__ = ("level", "where", "message")

    def __init__(self, level: str, where: str, message: str):
        self.level = level
        self.where = where
        self.message = message

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_dict(self) -> dict:
        return {"level": self.level, "where": self.where, "message": self.message}
