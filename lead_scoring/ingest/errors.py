"""Errors that stop a load. Each names the file, and where it can, the row and field, on one line."""


class IngestError(Exception):
    """A landed file could not be loaded as a whole."""


class MissingColumnsError(IngestError):
    def __init__(self, source_file: str, missing: list[str]):
        self.source_file = source_file
        self.missing = missing
        super().__init__(f"{source_file}: line 1 (header): missing required column(s) {', '.join(missing)}")


class TooManyBadRowsError(IngestError):
    """Past the threshold, quarantining is no longer enough: somebody must look at the file."""

    def __init__(self, source_file: str, bad: int, read: int, threshold: float, samples: list[str]):
        self.source_file = source_file
        self.samples = samples
        first = samples[0] if samples else source_file
        super().__init__(
            f"{first} ({bad} of {read} rows of the file quarantined, {bad / max(read, 1):.1%}, "
            f"more than the allowed {threshold:.1%}; the day is loaded, the rows are in "
            "raw.load_quarantine: fix the file and re-run the day)"
        )
