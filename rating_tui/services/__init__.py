"""Use cases that combine the domain and the store (no UI): what the app and CLI call."""
