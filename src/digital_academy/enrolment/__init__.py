"""Many course runs and cohorts on one academy hub.

``model`` (typed records) -> ``store`` (one JSON file per run, atomic, locked) ->
``ops`` (create, enrol, unenrol, assign: every check before any write) -> ``builders``
(pure: hub groups and roles, rosters, exchange folders, gradebooks) -> ``sync`` (the hub's
REST API and the gradebooks, both directions). ``learner_view`` and ``nbgrader_auth`` run
inside the hub. See docs/courses.md.
"""
