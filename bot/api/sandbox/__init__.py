"""A local stand-in for the Exterior Creation API."""
