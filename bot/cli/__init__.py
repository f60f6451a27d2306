"""The `exterior-bot` command line: its arguments, the commands' bodies (generate, vary,
status, sandbox, doctor, run), and the exit codes scripts rely on (`errors`)."""
