"""Pure builders: course-run records in; hub groups, roles, rosters and folders out.

Nothing here reads or writes anything. The hub's own builders (``digital_academy.hub``)
turn the course runs into groups, RBAC roles and one formgrader service per run; this module
feeds them the runs from the records and adds what many runs on one hub need besides:

- the learner view service (``courses``): every enrolled run's assignments, due dates and
  released feedback, for the logged-in learner only;
- an nbgrader roster per run, and nbgrader settings that give each run its own exchange
  folder and gradebook;
- the exchange layout per run, with the OS group that alone may enter a run's folder when
  learners are separate OS users.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from digital_academy.hub import refs
from digital_academy.hub.builders import HUB_ID, build_groups, build_roles, formgrader_service
from digital_academy.hub.settings import CourseRun as HubCourseRun
from digital_academy.hub.settings import HubSettings

from .model import CourseRun, People

LEARNER_VIEW_SERVICE = "courses"
LEARNER_VIEW_ROLE = "academy-courses-view"
#: Each learner's server may read its own user's groups, so nbgrader can tell which runs
#: they are enrolled in (``nbgrader_auth.py``). Nothing else is added to JupyterHub's default.
SERVER_TOKEN_SCOPES = ("users:activity!user", "access:servers!server", "read:users:groups!user")
NBGRADER_AUTH_PLUGIN = "digital_academy.enrolment.nbgrader_auth.HubGroupsAuthPlugin"
#: The learner-side nbgrader lines that many runs on one hub need.
LEARNER_NBGRADER_ADDITION = f'''\
"""nbgrader for learners when one hub serves many course runs. GENERATED: do not edit."""

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by traitlets
# Only runs whose learners-<id> or tutors-<id> hub group holds this user are listed,
# fetched from or submitted to.
c.Authenticator.plugin_class = "{NBGRADER_AUTH_PLUGIN}"
# Two runs may set the same assessment: keep each run's copy in its own folder.
c.Exchange.path_includes_course = True
'''


def learners_group(course_id: str) -> str:
    return f"learners-{course_id}"


def tutors_group(course_id: str) -> str:
    return f"tutors-{course_id}"


# --- hub ---------------------------------------------------------------------------------


def hub_course_runs(courses: Iterable[CourseRun]) -> tuple[HubCourseRun, ...]:
    """The hub's view of each run: who is in it now (withdrawn learners are not)."""
    return tuple(
        HubCourseRun(id=c.id, title=c.title, tutors=c.tutors, learners=c.learners)
        for c in sorted(courses, key=lambda c: c.id)
    )


def hub_settings(base: HubSettings, courses: Iterable[CourseRun]) -> HubSettings:
    """``base`` with its course runs replaced by the records' (``base`` kept if none)."""
    runs = hub_course_runs(courses)
    if not runs:
        return base
    return HubSettings.model_validate({**base.model_dump(), "courses": runs})


def hub_groups(base: HubSettings, courses: Iterable[CourseRun]) -> dict[str, list[str]]:
    """``{group: sorted members}``: global ``learners``/``tutors`` and one pair per run."""
    built = build_groups(hub_settings(base, courses))
    return {name: sorted(group["users"]) for name, group in sorted(built.items())}


def learner_view_role() -> dict[str, Any]:
    return {
        "name": LEARNER_VIEW_ROLE,
        "description": "Learners and tutors open the course list; it shows each only their own.",
        "scopes": [f"access:services!service={LEARNER_VIEW_SERVICE}"],
        "groups": ["learners", "tutors"],
    }


def hub_roles(base: HubSettings, courses: Iterable[CourseRun]) -> list[dict[str, Any]]:
    """Every RBAC role: the hub's (one ``tutor-<id>`` per run) plus the learner view's."""
    return [*build_roles(hub_settings(base, courses)), learner_view_role()]


def learner_view_service(port: int) -> dict[str, Any]:
    return {
        "name": LEARNER_VIEW_SERVICE,
        "url": f"http://127.0.0.1:{port}",
        "display": True,
        "info": {"description": "My courses: assignments, due dates and feedback"},
        "oauth_no_confirm": True,
        "command": [refs.python(), "-m", "digital_academy.enrolment.learner_view"],
        "environment": {
            "ACADEMY_ROOT": refs.root(""),
            "ACADEMY_STATE_DIR": refs.state(""),
            # So `academy down` finds it even if the hub died (services get no other env).
            HUB_ID: refs.env(HUB_ID),
        },
    }


def hub_config_addition(learner_view_port: int) -> dict[str, dict[str, Any]]:
    """What enrolment adds to the hub's generated config: ``{Section: {trait: value}}``.

    Lists (``services``, ``load_roles``) are *appended* to the hub's; see ``render_addition``.
    """
    return {
        "JupyterHub": {
            "services": [learner_view_service(learner_view_port)],
            "load_roles": [learner_view_role()],
        },
        "Spawner": {"server_token_scopes": list(SERVER_TOKEN_SCOPES)},
    }


def render_addition(addition: Mapping[str, Mapping[str, Any]], config_dir: refs.Ref) -> str:
    """Python lines appended to the hub's ``jupyterhub_config.py`` for ``addition``.

    ``config_dir`` holds ``LEARNER_NBGRADER_ADDITION``; it goes first on learners'
    ``JUPYTER_CONFIG_PATH`` so nbgrader reads it beside the hub's own learner config.
    """
    lines = ["# --- many course runs on one hub (digital_academy.enrolment) ---"]
    for section, traits in addition.items():
        for trait, value in traits.items():
            target = f"c.{section}.{trait}"
            if isinstance(value, list) and trait in ("services", "load_roles"):
                lines.append(f"{target} = list({target}) + {refs.render(value)}")
            else:
                lines.append(f"{target} = {refs.render(value)}")
    path = "c.Spawner.environment['JUPYTER_CONFIG_PATH']"
    lines.append(f"{path} = {config_dir.expression()} + os.pathsep + {path}")
    return "\n".join(lines) + "\n"


# --- nbgrader ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    """One row of nbgrader's student table; ``active`` is False for a withdrawn learner."""

    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    active: bool


@dataclass(frozen=True)
class Roster:
    """A run's nbgrader roster. Withdrawn learners stay, so their grades are kept."""

    course_id: str
    students: tuple[Student, ...]
    instructors: tuple[str, ...]


def build_roster(course: CourseRun, people: People) -> Roster:
    register = people.by_name()
    students = []
    for name in sorted({*course.learners, *course.withdrawn_names()}):
        person = register.get(name)
        students.append(
            Student(
                id=name,
                first_name=person.first_name if person else "",
                last_name=person.last_name if person else "",
                email=person.email if person else "",
                lms_user_id=person.lms_user_id if person else "",
                active=name in course.learners,
            )
        )
    return Roster(course.id, tuple(students), tuple(sorted(course.tutors)))


def nbgrader_course_config(course_id: str) -> dict[str, dict[str, Any]]:
    """nbgrader settings of one run: its course folder, its own gradebook, the shared exchange.

    nbgrader keeps each course in ``<exchange>/<course_id>/`` by itself; the gradebook is a
    SQLite file per run unless the assessment settings point it at PostgreSQL.
    """
    folder = f"grading/{course_id}"
    return {
        "CourseDirectory": {
            "course_id": course_id,
            "root": refs.state(folder),
            "db_url": refs.state(f"{folder}/gradebook.db", prefix="sqlite:///"),
        },
        "Exchange": {"root": refs.state("exchange")},
    }


# --- exchange ----------------------------------------------------------------------------


def os_group(course_id: str) -> str:
    """The OS group of a run's learners (POSIX names are at most 32 characters)."""
    name = f"learners-{course_id}"
    if len(name) <= 32:
        return name
    digest = hashlib.sha256(course_id.encode()).hexdigest()[:8]
    return f"learners-{course_id[:14]}-{digest}"


@dataclass(frozen=True)
class ExchangeFolder:
    """One folder of the exchange: where, its mode, and (system users) its owner and group."""

    path: str
    mode: int
    owner: str | None
    group: str | None


def exchange_layout(courses: Iterable[CourseRun], system_users: bool) -> list[ExchangeFolder]:
    """Folders per run, with nbgrader's own modes inside each run's folder.

    With one OS user per learner, a run's folder belongs to the run's grader user and to the
    run's learners' OS group with mode 2750: nobody else can even look inside, so a learner
    cannot list, fetch from or submit to a run they are not enrolled in, whatever their own
    server is configured to do. With one OS user for all (the demo), only the nbgrader
    plug-in keeps runs apart (see docs/courses.md).
    """
    folders = [ExchangeFolder(".", 0o1777, None, None)]
    for course in sorted(courses, key=lambda c: c.id):
        owner = f"grader-{course.id}"[:32] if system_users else None
        group = os_group(course.id) if system_users else None
        top = 0o2750 if system_users else 0o755
        folders += [
            ExchangeFolder(course.id, top, owner, group),
            ExchangeFolder(f"{course.id}/outbound", 0o755, owner, group),
            ExchangeFolder(f"{course.id}/inbound", 0o2733, owner, group),
            ExchangeFolder(f"{course.id}/feedback", 0o711, owner, group),
        ]
    return folders


def os_group_members(courses: Iterable[CourseRun]) -> dict[str, list[str]]:
    """``{OS group: members}``: each run's current learners, for the exchange folders."""
    return {os_group(c.id): sorted(c.learners) for c in sorted(courses, key=lambda c: c.id)}


def formgrader_of(course_id: str) -> str:
    """The hub service that grades one run (defined by the hub's builders)."""
    return formgrader_service(course_id)
