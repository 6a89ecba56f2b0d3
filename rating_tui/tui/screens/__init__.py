"""The app's screens, one module each, each with a sibling .tcss file."""
