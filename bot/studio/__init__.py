"""The mask studio: a browser page to paint the area, reached through signed one-time links."""
