"""`/exterior-admin`: a server's spending rules, its own API key, its settings card."""
