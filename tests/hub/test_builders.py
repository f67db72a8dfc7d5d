"""Pure builders, tested by equality, and the generated files they make."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from digital_academy.catalog import check
from digital_academy.hub import refs
from digital_academy.hub.auth import AUTH_PROFILES, build_auth
from digital_academy.hub.builders import (
    build_groups,
    build_hub_config,
    build_roles,
    render_hub_config,
    service_ports,
)
from digital_academy.hub.content import content_files, content_index
from digital_academy.hub.exchange import gather_inbound
from digital_academy.hub.files import HELM_VALUES, HUB_CONFIG, generated_files, write_generated
from digital_academy.hub.lazy_nbgrader import EXTENSIONS as LAZY_EXTENSIONS
from digital_academy.hub.runner import write_files
from digital_academy.hub.serverconfig import learner_server_config
from digital_academy.hub.settings import CourseRun, HubSettings

REPO = Path(__file__).resolve().parents[2]


def test_defaults_are_the_demo() -> None:
    settings = HubSettings()
    assert settings.users() == ("admin", "tutor1", "learner1", "learner2")
    assert build_groups(settings) == {
        "learners": {"users": ["learner1", "learner2"]},
        "tutors": {"users": ["tutor1"]},
        "learners-demo": {"users": ["learner1", "learner2"]},
        "tutors-demo": {"users": ["tutor1"]},
    }
    assert service_ports(settings).books == 8100
    assert service_ports(settings).formgraders == {"demo": 8101}


def test_each_course_has_its_own_tutor_role_and_formgrader() -> None:
    settings = HubSettings.model_validate(
        {
            "courses": [
                {"id": "alpha", "tutors": ["ta"], "learners": ["l1"]},
                {"id": "beta", "tutors": ["tb"], "learners": ["l1", "l2"]},
            ]
        }
    )
    roles = {r["name"]: r for r in build_roles(settings)}
    assert roles["tutor-alpha"]["scopes"] == [
        "access:services!service=formgrader-alpha",
        "list:users!group=learners-alpha",
        "read:users:name!group=learners-alpha",
        "read:users:activity!group=learners-alpha",
    ]
    assert roles["tutor-alpha"]["groups"] == ["tutors-alpha"]
    assert not any("beta" in s for s in roles["tutor-alpha"]["scopes"])
    assert roles["academy-learner"]["scopes"] == ["self"]
    services = {s["name"] for s in build_hub_config(settings)["JupyterHub"]["services"]}
    assert services == {"books", "academy-cli", "formgrader-alpha", "formgrader-beta"}


def test_demo_and_system_profiles_pick_their_spawners() -> None:
    demo = build_hub_config(HubSettings())
    assert demo["JupyterHub"]["spawner_class"] == "digital_academy.hub.spawners.DemoSpawner"
    system = build_hub_config(HubSettings.model_validate({"spawner": {"kind": "system-users"}}))
    assert system["JupyterHub"]["spawner_class"] == "digital_academy.hub.spawners.SystemUserSpawner"
    grader = next(s for s in system["JupyterHub"]["services"] if s["name"] == "formgrader-demo")
    assert grader["user"] == "grader-demo"
    assert "--ServerApp.allow_root=True" not in grader["command"]


@pytest.mark.parametrize("kind", sorted(AUTH_PROFILES))
def test_every_auth_profile_builds(kind: str) -> None:
    extra = {
        "shared-password": {},
        "entra-id": {
            "tenant_id": "t",
            "client_id": "c",
            "callback_url": "https://hub.example/hub/oauth_callback",
        },
        "lti13": {
            "issuer": "https://lms.example",
            "client_ids": ["x"],
            "authorize_url": "https://lms.example/auth",
            "jwks_endpoint": "https://lms.example/jwks",
        },
    }[kind]
    settings = HubSettings.model_validate({"auth": {"kind": kind, **extra}})
    config = build_auth(settings)
    assert config["Authenticator"]["admin_users"] == ["admin"]
    classes = {
        "shared-password": "shared-password",
        "entra-id": "oauthenticator.azuread.AzureAdOAuthenticator",
        "lti13": "ltiauthenticator.lti13.auth.LTI13Authenticator",
    }
    assert config["JupyterHub"]["authenticator_class"] == classes[kind]
    if kind == "entra-id":
        assert config["AzureAdOAuthenticator"]["client_secret"] == refs.env(
            "ACADEMY_OAUTH_CLIENT_SECRET"
        )


def _run_config(text: str, where: Path, env: dict[str, str]) -> Config:
    """Execute generated config ``text`` as if it were the file ``where``, with ``env`` set."""
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(where)}
    old = {k: os.environ.get(k) for k in (*env, "ACADEMY_ROOT")}
    os.environ.pop("ACADEMY_ROOT", None)
    os.environ.update(env)
    try:
        exec(compile(text, str(where), "exec"), namespace)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return config


def test_generated_config_runs_and_holds_no_machine_paths(tmp_path: Path) -> None:
    text = render_hub_config(build_hub_config(HubSettings()))
    assert "/tmp" not in text and str(REPO) not in text
    assert "SECRETS['cli_api_token']" in text and not re.search(r"[0-9a-f]{32}", text)
    hub_config = tmp_path / "repo/hub_config/jupyterhub_config.py"
    hub_config.parent.mkdir(parents=True)
    hub_config.write_text(text)
    state = tmp_path / "state"
    (state / "hub").mkdir(parents=True)
    (state / "hub/secrets.json").write_text(
        json.dumps(
            {"demo_user_password": "p" * 10, "demo_admin_password": "a" * 40, "cli_api_token": "t"}
        )
    )
    config = _run_config(text, hub_config, {"ACADEMY_STATE_DIR": str(state)})
    assert config.JupyterHub.db_url == f"sqlite:///{state / 'hub/jupyterhub.sqlite'}"
    assert config.Spawner.cmd == [sys.executable, "-m", "digital_academy.hub.singleuser"]
    assert config.SharedPasswordAuthenticator.admin_password == "a" * 40
    env = config.Spawner.environment
    assert env["JUPYTER_CONFIG_PATH"] == str(tmp_path / "repo/hub_config/singleuser")
    assert env["ACADEMY_EXCHANGE"] == str(state / "exchange")
    # The copy `academy up` runs from the state folder (with records) finds the repository
    # through ACADEMY_ROOT, which the runner sets, not through its own location.
    moved = state / "generated/jupyterhub_config.py"
    config = _run_config(
        text, moved, {"ACADEMY_STATE_DIR": str(state), "ACADEMY_ROOT": str(tmp_path / "repo")}
    )
    env = config.Spawner.environment
    assert env["JUPYTER_CONFIG_PATH"] == str(tmp_path / "repo/hub_config/singleuser")


def test_learner_servers_run_lean_and_hide_tutor_tools() -> None:
    extensions = learner_server_config()["ServerApp"]["jpserver_extensions"]
    enabled = {k for k, v in extensions.items() if v}
    assert enabled == {
        "jupyterlab",
        "nbgitpuller",
        "digital_academy.hub.content_ext",
        "digital_academy.hub.lazy_nbgrader",
        "digital_academy.hub.singleuser",  # the lean launcher's hook: GC back on once started
    }
    # The learner's nbgrader tools are not loaded at start but on first use, by lazy_nbgrader;
    # the tutors' tools never.
    assert set(LAZY_EXTENSIONS) == {
        "nbgrader.server_extensions.assignment_list",
        "nbgrader.server_extensions.validate_assignment",
    }
    for name in (*LAZY_EXTENSIONS, "nbgrader.server_extensions.formgrader"):
        assert extensions[name] is False, name
    assert extensions["nbgrader.server_extensions.course_list"] is False
    assert learner_server_config()["LabApp"]["news_url"] is None


def test_committed_generated_files_are_current() -> None:
    files = generated_files(HubSettings())
    stale = [
        rel
        for rel, text in files.items()
        if not (REPO / rel).exists() or (REPO / rel).read_text("utf-8") != text
    ]
    assert not stale, f"regenerate with `academy up` (or write_generated): {stale}"


def _tree(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def test_files_naming_people_go_to_the_state_folder_only(tmp_path: Path) -> None:
    """With records (``personal``), the repository's config and Helm values stay its defaults."""
    root = tmp_path / "repo"
    defaults = generated_files(HubSettings())
    written = write_files(root, defaults, personal=False, say=lambda _m: None)
    assert written == {HUB_CONFIG: root / HUB_CONFIG, HELM_VALUES: root / HELM_VALUES}
    before = _tree(root / "hub_config")
    run = CourseRun(id="run-x", title="X", tutors=("tutor-x",), learners=("learner-x",))
    personal = generated_files(HubSettings(courses=(run,)))
    said: list[str] = []
    written = write_files(root, personal, personal=True, say=said.append)
    assert _tree(root / "hub_config") == before
    private = root / ".academy/generated"
    assert written == {
        HUB_CONFIG: private / "jupyterhub_config.py",
        HELM_VALUES: private / "helm/values.yaml",
    }
    for rel, path in written.items():
        assert path.read_text("utf-8") == personal[rel]
        assert "learners-run-x" in personal[rel] and "learner-x" in personal[rel]
        assert "learner-x" not in (root / rel).read_text("utf-8")
    assert private.stat().st_mode & 0o077 == 0  # the folder is its user's only
    assert said == [f"wrote {path}" for path in written.values()]  # and nothing in the repo


def test_write_generated_only_touches_changed_files(tmp_path: Path) -> None:
    files = generated_files(HubSettings())
    assert sorted(write_generated(tmp_path, files)) == sorted(files)
    assert write_generated(tmp_path, files) == []
    files[HUB_CONFIG] += "# changed\n"
    assert write_generated(tmp_path, files) == [HUB_CONFIG]


def test_refs_resolve_for_tests_and_helm() -> None:
    where = refs.Where(Path("/r"), Path("/s"), "/py/bin/python", {"k": "v"}, {"E": "e"})
    value = {
        "a": [refs.root("x"), refs.state("y", prefix="sqlite:///")],
        "b": refs.secret("k"),
        "c": refs.env("E"),
        "d": refs.binary("tool"),
    }
    assert refs.resolve(value, where) == {
        "a": ["/r/x", "sqlite:////s/y"],
        "b": "v",
        "c": "e",
        "d": "/py/bin/tool",
    }
    with pytest.raises(ValueError, match="machine references"):
        refs.to_json({"x": refs.root("y")})


def test_gather_inbound_trusts_the_folder_not_the_name(tmp_path: Path) -> None:
    course = tmp_path / "demo"
    mine = course / "inbound-by-learner/learner1/learner1+hw+2026-01-01 10:00:00+abc"
    forged = course / "inbound-by-learner/learner1/learner2+hw+2026-01-01 10:00:00+xyz"
    for folder in (mine, forged):
        folder.mkdir(parents=True)
        (folder / "hw.ipynb").write_text("{}")
    result = gather_inbound(course)
    assert result.copied == (mine.name,)
    assert result.refused == (f"learner1/{forged.name}",)
    assert (course / "inbound" / mine.name / "hw.ipynb").exists()
    assert not (course / "inbound" / forged.name).exists()
    assert gather_inbound(course).copied == ()  # idempotent


def test_the_real_catalogue_maps_every_module_into_learner_content() -> None:
    catalog = check(REPO).catalog
    files = content_files(catalog)
    index = content_index(catalog)
    assert set(index["modules"]) == set(catalog.modules)
    for module_id, rel in index["modules"].items():
        assert files[rel] == catalog.locations[module_id].path
    assert all(rel.count("/") >= 1 for rel in files)
