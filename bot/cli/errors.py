"""Exit codes and the one expected CLI failure, shared by the entry point and the commands.

0 succeeded, 3 the generation FAILED (its credit refunded), 2 bad input or configuration,
1 anything else. Scripts depend on these numbers: they never change.
"""

from __future__ import annotations

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class CliError(Exception):
    """An expected failure: `code` is the exit code, the message is shown as-is. Plain English
    on purpose: only the operator at a terminal reads it (not a catalogue code, unlike
    bot.domain.messages.UserError; an image's failure arrives here as its English `str()`)."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code
