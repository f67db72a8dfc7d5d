"""Self-check questions for module notebooks.

A question is plain data. In a live kernel, and in a static book with the widget
JavaScript served beside it, it renders as ipywidgets whose feedback is wired in the
browser (``jslink``), so it responds with no kernel at all. Renderers without widget
support get an accessible HTML ``<details>`` version generated from the same data.
"""

from .question import Choice, Question
from .render import SelfCheck, fallback_html, self_check

__all__ = ["Choice", "Question", "SelfCheck", "fallback_html", "self_check"]
