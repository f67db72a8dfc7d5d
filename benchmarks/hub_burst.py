"""Burst benchmark: N learners log in and start their servers at once, academy vs stock.

Run: ``.venv/bin/python benchmarks/hub_burst.py [--learners 50]``. Each configuration gets
its own real hub on random loopback ports. "Stock" is the same hub with learners' servers
started the stock way: ``jupyterhub.singleuser`` with every installed server and lab extension
enabled. Reports successes, p50/p95 time to a usable lab (the lab page served to the logged-in
learner), hub CPU seconds, CPU per learner (everything the run's processes used, divided by
the learners served), the CPU other programs used meanwhile (the machine may be shared), and
memory per idle learner server: RSS, USS and PSS. The memory goal is judged on USS and PSS,
what each extra learner really costs; RSS also counts pages shared with other processes.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hub.factory import make_academy, random_network  # noqa: E402

from digital_academy.hub import runner  # noqa: E402
from digital_academy.hub.auth import USER_PASSWORD  # noqa: E402
from digital_academy.hub.preflight import PreflightError  # noqa: E402
from digital_academy.hub.settings import load_settings  # noqa: E402

console = Console(width=150)
MYSELF = psutil.Process()
STOCK = """
import pathlib as _p
_stock = STATE / "stock-config"
_stock.mkdir(exist_ok=True)
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment["JUPYTER_CONFIG_PATH"] = str(_stock)
"""


@dataclass
class Result:
    name: str
    ok: int
    total: int
    times: list[float]
    wall: float
    hub_cpu: float
    rss_mb: list[float]
    uss_mb: list[float]
    pss_mb: list[float]
    academy_cpu: float
    other_cpu: float
    cpu_parts: dict[str, float]

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def _learn(url: str, user: str, password: str, timeout: float) -> tuple[float | None, str]:
    """Log in through the form, then wait until the learner's lab page is served."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    start = time.monotonic()
    last = "timed out"
    try:
        page = opener.open(url + "hub/login", timeout=120).read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)
        form = {"username": user, "password": password, **({"_xsrf": xsrf[1]} if xsrf else {})}
        opener.open(
            url + "hub/login?next=", data=urllib.parse.urlencode(form).encode(), timeout=timeout
        )
    except OSError as exc:
        return None, f"login: {exc}"[:80]
    while time.monotonic() - start < timeout:
        try:
            res = opener.open(url + f"user/{user}/lab", timeout=120)
            if res.status == 200 and b"jupyter-config-data" in res.read():
                return time.monotonic() - start, "ok"
        except OSError as exc:
            last = f"lab: {exc}"[:80]
        time.sleep(1)
    return None, last


def _is_learner_server(proc: psutil.Process) -> bool:
    """A learner's Jupyter server (stock or academy command), not a service or a kernel."""
    command = " ".join(proc.cmdline())
    env = proc.environ()
    return (
        (".singleuser" in command)
        and "JUPYTERHUB_USER" in env
        and not env.get("JUPYTERHUB_SERVICE_NAME")
    )


def _idle_memory(hub_id: str) -> tuple[list[float], list[float], list[float]]:
    rss, uss, pss = [], [], []
    for proc in runner.academy_processes(hub_id):
        try:
            if _is_learner_server(proc):
                info = proc.memory_full_info()
                rss.append(info.rss / 2**20)
                uss.append(info.uss / 2**20)
                pss.append(info.pss / 2**20)
        except psutil.Error:
            continue
    return rss, uss, pss


def _role(proc: psutil.Process) -> str:
    command = " ".join(proc.cmdline())
    if _is_learner_server(proc):
        return "servers"
    if "-m jupyterhub " in command + " ":
        return "hub"
    if "digital_academy.hub.proxy" in command:
        return "proxy"
    return "services" if proc.environ().get("JUPYTERHUB_SERVICE_NAME") else "other"


def _run_cpu(hub_id: str) -> dict[tuple[int, float], tuple[str, float]]:
    """CPU seconds so far of each process of the run (with its reaped children, e.g. node)."""
    used = {}
    for proc in runner.academy_processes(hub_id):
        try:
            t = proc.cpu_times()
            cpu = t.user + t.system + t.children_user + t.children_system
            used[(proc.pid, proc.create_time())] = (_role(proc), cpu)
        except psutil.Error:
            continue
    return used


def _busy_cpu() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all programs)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _start(
    name: str, users: list[str], extra: str, timeout: float, attempts: int = 3
) -> tuple[Path, runner.RunRecord, dict[str, str]]:
    """A fresh academy and hub; new random ports if one was taken meanwhile (shared machine)."""
    for attempt in range(1, attempts + 1):
        root = make_academy(
            Path(tempfile.mkdtemp(prefix=f"burst-{name}-")),
            random_network(),
            settings={
                "spawner": {
                    "start_timeout": int(timeout),
                    "concurrent_spawn_limit": len(users) + 10,
                },
                "courses": [{"id": "demo", "tutors": ["tutor1"], "learners": users}],
            },
        )
        try:
            record, secrets, _ = runner.start(
                root, load_settings(root), say=lambda _m: None, extra_config=extra
            )
            return root, record, secrets
        except (runner.HubError, PreflightError) as exc:
            if attempt == attempts:
                raise
            console.print(f"[yellow]{name}: the hub did not start, retrying[/]: {exc}"[:300])
    raise AssertionError("unreachable")


def run(name: str, learners: int, extra: str, timeout: float) -> Result:
    users = [f"learner{i:02d}" for i in range(1, learners + 1)]
    root, record, secrets = _start(name, users, extra, timeout)
    try:
        hub = psutil.Process(record.pid)
        cpu0 = sum(hub.cpu_times()[:2])
        run0, busy0, me0 = _run_cpu(record.hub_id), _busy_cpu(), sum(MYSELF.cpu_times()[:2])
        console.print(f"[bold]{name}[/]: {learners} learners log in at once ...")
        begin = time.monotonic()
        with ThreadPoolExecutor(max_workers=learners) as pool:
            outcomes = list(
                pool.map(lambda u: _learn(record.url, u, secrets[USER_PASSWORD], timeout), users)
            )
        wall = time.monotonic() - begin
        cpu = sum(hub.cpu_times()[:2]) - cpu0
        run1 = _run_cpu(record.hub_id)
        parts: dict[str, float] = {}
        for key, (role, cpu_s) in run1.items():
            parts[role] = parts.get(role, 0.0) + cpu_s - run0.get(key, (role, 0.0))[1]
        used = sum(parts.values())
        client = sum(MYSELF.cpu_times()[:2]) - me0
        other = max(0.0, _busy_cpu() - busy0 - used - client)
        time.sleep(20)  # let servers settle to idle
        rss, uss, pss = _idle_memory(record.hub_id)
        done = [t for t, _why in outcomes if t is not None]
        for why in sorted({w for t, w in outcomes if t is None}):
            count = sum(1 for t, w in outcomes if t is None and w == why)
            console.print(f"  [red]{count} failed[/]: {why}")
        return Result(name, len(done), learners, done, wall, cpu, rss, uss, pss, used, other, parts)
    finally:
        runner.stop(root, say=lambda _m: None)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.0f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    results = [
        run("stock", args.learners, STOCK, args.timeout),
        run("academy", args.learners, "", args.timeout),
    ]
    table = Table(title=f"Burst of {args.learners} learners on {psutil.cpu_count()} cores")
    for column in (
        "config",
        "ok",
        "p50 s",
        "p95 s",
        "burst s",
        "learners/min",
        "hub CPU s",
        "CPU s/learner",
        "other CPU s",
        "idle RSS MB",
        "idle USS MB",
        "idle PSS MB",
    ):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            r.name,
            f"{r.ok}/{r.total}",
            f"{_pct(r.times, 0.5):.1f}",
            f"{_pct(r.times, 0.95):.1f}",
            f"{r.wall:.1f}",
            f"{60 * r.throughput:.1f}",
            f"{r.hub_cpu:.1f}",
            f"{r.academy_cpu / max(r.ok, 1):.2f}",
            f"{r.other_cpu:.0f}",
            _mean(r.rss_mb),
            _mean(r.uss_mb),
            _mean(r.pss_mb),
        )
    console.print(table)
    for r in results:
        parts = ", ".join(
            f"{role} {cpu_s / max(r.ok, 1):.2f}" for role, cpu_s in sorted(r.cpu_parts.items())
        )
        console.print(f"{r.name}: CPU s per learner by part: {parts}")
    stock, academy = results
    ratio = academy.throughput / stock.throughput if stock.throughput else float("inf")
    per_learner = (stock.academy_cpu / max(stock.ok, 1)) / (
        academy.academy_cpu / max(academy.ok, 1) or float("inf")
    )
    console.print(
        f"throughput ratio academy/stock = [bold]{ratio:.2f}x[/] (goal >= 2x); "
        f"CPU per learner stock/academy = {per_learner:.2f}x; "
        f"all succeeded: {academy.ok == academy.total}\n"
        f"idle memory per learner (goal <= 100 MB, judged on USS and PSS): "
        f"USS {_mean(academy.uss_mb)} MB, PSS {_mean(academy.pss_mb)} MB "
        f"(RSS {_mean(academy.rss_mb)} MB, which also counts shared pages)\n"
        "other CPU s: what other programs on this machine used during each burst; "
        "when it is large, run the benchmark again and compare."
    )


if __name__ == "__main__":
    main()
