"""Rich renderings of domain objects, shared by the CLI and the app (no Textual here)."""
