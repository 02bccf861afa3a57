"""Errors that stop a load. Each names the file, and where it can, the row and field."""


class IngestError(Exception):
    """A landed file could not be loaded as a whole."""


class MissingColumnsError(IngestError):
    def __init__(self, source_file: str, missing: list[str]):
        self.source_file = source_file
        self.missing = missing
        super().__init__(
            f"{source_file}: missing required column(s) {', '.join(missing)}"
        )


class TooManyBadRowsError(IngestError):
    """Past the threshold, quarantining is no longer enough: somebody must look at the file."""

    def __init__(self, source_file: str, bad: int, read: int, threshold: float, samples: list[str]):
        self.source_file = source_file
        shown = "\n  ".join(samples)
        super().__init__(
            f"{source_file}: {bad} of {read} rows quarantined ({bad / max(read, 1):.1%}), "
            f"more than the allowed {threshold:.1%}. First errors:\n  {shown}\n"
            "The rows are in raw.load_quarantine; fix the file and re-run the day."
        )
