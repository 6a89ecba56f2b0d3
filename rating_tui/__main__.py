"""`python -m rating_tui` runs the same command line as `rating-tui`."""

from rating_tui.start import main

if __name__ == "__main__":
    main()
