"""rating-tui: rate mother-infant psychotherapy sessions on the seven concepts of change."""

__version__ = "0.1.0"
