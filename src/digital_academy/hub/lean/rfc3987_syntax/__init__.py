"""Shadows ``rfc3987_syntax`` on learners' servers (see ``digital_academy.hub.spawners``).

``jsonschema`` imports it optionally, to check the ``iri`` string format; building its
grammar costs about a second of CPU per server start. Failing the import skips that check.
"""

raise ImportError("rfc3987_syntax is shadowed on lean learner servers")
