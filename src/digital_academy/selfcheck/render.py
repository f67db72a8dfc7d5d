"""Render a question as a widget that answers in the browser, plus an HTML fallback."""

from __future__ import annotations

from html import escape
from typing import Any

from .question import Choice, Question


def _verdict(choice: Choice) -> str:
    return "Correct." if choice.correct else "Not quite."


def fallback_html(question: Question) -> str:
    """An accessible no-kernel, no-JavaScript version: one disclosure per choice."""
    items = "".join(
        "<li><details><summary>"
        f"{escape(choice.text)}</summary><p><strong>{_verdict(choice)}</strong> "
        f"{escape(choice.feedback)}</p></details></li>"
        for choice in question.choices
    )
    return (
        '<section class="academy-selfcheck" aria-label="Self-check question">'
        f"<p><strong>Self-check:</strong> {escape(question.prompt)}</p>"
        "<p>Choose an answer, then open it to see the feedback.</p>"
        f'<ol type="A">{items}</ol></section>'
    )


def _feedback_html(choice: Choice) -> str:
    colour = "#005eb8" if choice.correct else "#8a1538"  # NHS blue / dark pink: AA on white
    return (
        f'<div role="status" style="border-left:4px solid {colour};padding:0.25em 0.75em">'
        f"<strong>{_verdict(choice)}</strong> {escape(choice.feedback)}</div>"
    )


class SelfCheck:
    """Displays as a live widget where widgets work, and as ``fallback_html`` elsewhere."""

    def __init__(self, question: Question) -> None:
        import ipywidgets as w  # noqa: PLC0415 - only notebooks need the widget stack

        self.question = question
        self.options = w.RadioButtons(
            options=[(c.text, i) for i, c in enumerate(question.choices)],
            value=None,
            description="Answer:",
            layout=w.Layout(width="max-content"),
        )
        self.feedback = w.Stack(
            [w.HTML(_feedback_html(c)) for c in question.choices], selected_index=None
        )
        # Linked in the browser, so the feedback works in a static book with no kernel.
        self.link = w.jslink((self.options, "index"), (self.feedback, "selected_index"))
        self.widget = w.VBox(
            [
                w.HTML(f"<p><strong>Self-check:</strong> {escape(question.prompt)}</p>"),
                self.options,
                self.feedback,
            ]
        )

    def choose(self, index: int) -> str:
        """Select a choice as a learner would; returns the feedback shown (for tests)."""
        self.options.value = index
        return self.question.choices[index].feedback

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = fallback_html(self.question)
        bundle["text/plain"] = f"Self-check: {self.question.prompt}"
        return bundle


def self_check(prompt: str, choices: list[tuple[str, bool, str]]) -> SelfCheck:
    """A self-check from ``(text, correct, feedback)`` triples; a cell's last line shows it."""
    question = Question(
        prompt=prompt,
        choices=tuple(Choice(text=t, correct=c, feedback=f) for t, c, f in choices),
    )
    return SelfCheck(question)
