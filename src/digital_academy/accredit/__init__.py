"""Accreditation evidence: what a professional body reviews for one academy.

``coverage`` builds the pack as plain data (coverage matrix, hours and credits,
assessment methods, gaps, review dates); ``render`` writes it as HTML and CSV, and
``pdf`` as a PDF drawn with matplotlib, offline.
"""
