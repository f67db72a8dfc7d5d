"""Learning journeys: the least-time pathway planner and learners' progress.

``targets`` and ``planner`` turn a role or competencies into an optimal, scheduled
plan; ``progress`` and ``importer`` keep completion records; ``summary`` and
``dashboard`` turn them into progress per pathway and competency and a tutor's page.
"""
