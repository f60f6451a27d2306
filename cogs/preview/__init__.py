"""Private previews before any credit is spent, and the hand-over to the mask studio."""
