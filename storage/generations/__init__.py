"""Generations, stored by concern: intents (the money path), the queue (waiting behind a
server's cap), checks (the tracker's results), delivery (posting once) and reads, over one
table; their rules sit in rules.py, above the SQL.

`GenerationRepository` is all five parts over one database, clock and lease: what the service,
the tracker and the sweep are given. A part alone (e.g. `GenerationChecks(db)`) works the same.
"""

from __future__ import annotations

from .checks import GenerationChecks
from .delivery import GenerationDelivery
from .intents import INTERRUPTED, DuplicateRequest, GenerationIntents
from .queue import GenerationQueue
from .reads import GenerationReads
from .table import GenerationNotFound, GenerationTable, When


class GenerationRepository(
    GenerationIntents, GenerationQueue, GenerationChecks, GenerationDelivery, GenerationReads
):
    """Every part at once. The parts share only GenerationTable's state, so joining them by
    inheritance adds no behaviour: each method is its part's, with one signature to keep."""


__all__ = [
    "INTERRUPTED",
    "DuplicateRequest",
    "GenerationChecks",
    "GenerationDelivery",
    "GenerationIntents",
    "GenerationNotFound",
    "GenerationQueue",
    "GenerationReads",
    "GenerationRepository",
    "GenerationTable",
    "When",
]
