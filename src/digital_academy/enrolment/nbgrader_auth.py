"""nbgrader's course check for learners' servers: enrolled runs come from the hub's groups.

nbgrader asks its ``Authenticator`` which courses a student may list, fetch from and submit
to. This plug-in answers with the runs whose ``learners-<id>`` or ``tutors-<id>`` hub group
holds the server's own user, read from the hub with the server's token (which may read only
that user's groups: ``builders.SERVER_TOKEN_SCOPES``). Enrolment is changed with
``academy course``, never from a learner's server, so the add/remove hooks refuse.

This guards the learner's own server, which the learner controls; with one OS user per
learner the exchange's folder permissions enforce the same boundary (docs/courses.md).
"""

from __future__ import annotations

import json
import os
import urllib.request

from nbgrader.auth.base import BaseAuthPlugin  # type: ignore[import-untyped,unused-ignore]

PREFIXES = ("learners-", "tutors-")


def courses_from_groups(groups: list[str]) -> list[str]:
    """Run ids named by a user's hub groups (``learners-a``, ``tutors-b`` -> ``a``, ``b``)."""
    found = {g.split("-", 1)[1] for g in groups if g.startswith(PREFIXES) and "-" in g}
    return sorted(c for c in found if c)


def own_groups() -> list[str]:
    api = os.environ["JUPYTERHUB_API_URL"].rstrip("/")
    request = urllib.request.Request(f"{api}/user")
    request.add_header("Authorization", f"token {os.environ['JUPYTERHUB_API_TOKEN']}")
    with urllib.request.urlopen(request, timeout=10) as response:
        model = json.loads(response.read())
    return [str(g) for g in model.get("groups", [])]


class HubGroupsAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    def get_student_courses(self, student_id: str) -> list[str]:
        me = os.environ.get("JUPYTERHUB_USER", "")
        if student_id not in ("*", me):
            return []  # a server speaks only for its own user
        try:
            return courses_from_groups(own_groups())
        except (OSError, KeyError, ValueError) as exc:
            # Fail closed: with the hub unreachable, no run is open to this server.
            self.log.error("could not read %s's course runs from the hub: %s", me, exc)
            return []

    def add_student_to_course(self, student_id: str, course_id: str) -> None:
        raise PermissionError("enrolment is managed with `academy course enrol`")

    def remove_student_from_course(self, student_id: str, course_id: str) -> None:
        raise PermissionError("enrolment is managed with `academy course unenrol`")
