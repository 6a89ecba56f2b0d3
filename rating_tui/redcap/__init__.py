"""REDCap interchange, as files: data dictionaries in both directions, and records to import.

REDCap is what most clinical research teams already run; a study that outgrows laptops moves
there. Nothing here talks to a REDCap server: researchers upload and download the files.
"""
