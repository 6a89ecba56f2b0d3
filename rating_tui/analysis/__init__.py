"""Analysis of ratings: inter-rater agreement (ICC, weighted kappa, Krippendorff's alpha) and
calibration of raters against a gold-standard rater.

Pure functions over ratings already read: no files, no printing, no Textual. `pairing`,
`calibration` and `results` are plain Python and always importable; `agreement` and the
statistics modules (`icc`, `kappa`, `alpha`) need numpy (the `stats` extra), so
callers check `results.stats_missing()` before importing them.
"""
