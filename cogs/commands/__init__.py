"""`/exterior` (create, vary, history, show, credits) and starting a job from Discord."""
