"""Ratings from elsewhere: the app's own wide CSV (with its now-moments table), JSON Lines
(with or without the instrument hash) and REDCap records, read into validated `Rating`s.

Pure functions over text and instruments: the CLI reads the files and stores the result
through `Store.import_ratings` (all or nothing). Every problem is kept with its line, and
`problems.grouped` reports the same problem on many lines once.
"""
