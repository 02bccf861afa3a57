"""The failures of `explain` and `diff` a user causes and can fix (an unknown contact, a warehouse
not built yet, a git ref without the rules): the command line prints them as one line."""


class AnalysisError(Exception):
    """A question the warehouse (or the rules) cannot answer as asked."""
