"""One exception type per kind of refusal, each carrying the contract's exit code."""


class LeadcardError(Exception):
    exit_code = 1


class NotFound(LeadcardError):
    pass


class Ambiguous(LeadcardError):
    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message + "\n" + "\n".join(f"  {c}" for c in candidates))
        self.message = message
        self.candidates = candidates


class NotAllowed(LeadcardError):
    pass


class Refused(LeadcardError):
    """A domain rule said no (duplicate phone, closed card, demo over a real store …)."""


class BadInput(LeadcardError):
    exit_code = 2


class StoreError(LeadcardError):
    """The database file cannot be used (missing directory, not SQLite, too new …)."""


class StoreBusy(StoreError):
    """Another command held the store's write lock past the busy timeout: nothing is wrong, wait."""


class StoreReadOnly(StoreError):
    """The store's file (or its directory) may be read but not written by this login."""
