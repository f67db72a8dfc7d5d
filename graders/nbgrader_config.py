"""nbgrader configuration for the academy's accredited assessments.

``graders/`` is an nbgrader course root: sources in ``source/<assessment>/``; the
assessment's module and competency mapping in ``assessments/<assessment>.yml``.
"""

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by traitlets

c.CourseDirectory.root = "."
# Metadata files stay with the tutors: only the notebook is released.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.yml"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 60
