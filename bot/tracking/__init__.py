"""Following each paid generation to its end: when to ask the API again (schedule, learnt
durations), the tracker that asks and records, and the callbacks that hint it early.

The tracker is the only writer of a generation's checks; callbacks only wake it (verify ->
record -> hint). Its events reach the Discord side through subscribers, never imports.
"""

from bot.tracking.callbacks import Callbacks
from bot.tracking.schedule import PollPolicy
from bot.tracking.tracker import GenerationTracker

__all__ = ["Callbacks", "GenerationTracker", "PollPolicy"]
