"""The exception hierarchy. The library raises these; cli/ maps them to exit codes."""


class ConflictmapError(Exception):
    """Base of every error the library raises on purpose; the message is one line for a user."""

    exit_code = 1


class InputError(ConflictmapError):
    """The data is wrong: unreadable file, bad row, unknown district (exit 1)."""


class UsageError(ConflictmapError):
    """The request is wrong: bad option value, missing argument (exit 2)."""

    exit_code = 2


class FieldError(UsageError):
    """A field named for a role (the districts' ids, names, ...) that the file lacks.

    `setting` is the project-file key that names such a field (id_field); the message names the option
    (--id-field) until `named_in` says the name came from a project file instead.
    """

    def __init__(self, source: str, wanted: str, setting: str, hint: str, columns):
        self.source, self.wanted, self.setting, self.hint, self.columns = source, wanted, setting, hint, list(columns)
        super().__init__(self._text("--" + setting.replace("_", "-")))

    def _text(self, named_by: str) -> str:
        return f"{self.source}: no field {self.wanted!r} for {named_by}{self.hint}; fields: {', '.join(self.columns) or 'none'}"

    def named_in(self, project) -> "InputError":
        """The same error when the field was named in a project file: a data error of that file (exit 1)."""
        return InputError(self._text(f"{self.setting} in {project}"))


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

    @classmethod
    def from_error(cls, exc: Exception, where: str = "") -> "Problem":
        """An error message 'WHERE ...: what' as an error Problem, split after `where` when it leads."""
        text = str(exc)
        if where and text.startswith(where):
            # 'file line 4: what' -> where 'file line 4'
            detail, sep, message = text[len(where) :].partition(": ")
            if sep:
                return cls("error", where + detail, message)
        return cls("error", "", text)


FAILED = object()  # what Checks.attempt returns for a check that failed while collecting


class Checks:
    """Where input checks put their findings.

    Loading raises the first error at once (the default); `validate` collects
    every error and warning (collect=True) and carries on with what is left.
    Warnings always go to `problems`.
    """

    def __init__(self, problems: list | None = None, collect: bool = False):
        self.problems = [] if problems is None else problems
        self.collect = collect

    def add(self, level: str, where: str, message: str) -> None:
        self.add_problem(Problem(level, where, message))

    def add_problem(self, problem: Problem) -> None:
        if problem.level == "error" and not self.collect:
            raise InputError(str(problem))
        self.problems.append(problem)

    def attempt(self, fn, *args, where: str = ""):
        """fn(*args); when collecting, an InputError becomes a problem and the result is FAILED."""
        if not self.collect:
            return fn(*args)
        try:
            return fn(*args)
        except InputError as exc:
            self.problems.append(Problem.from_error(exc, where))
            return FAILED
