"""Mentor matching: optimal against brute force, hard constraints, explanations, shortfalls."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from digital_academy.applied.capstone import catalogue
from digital_academy.applied.errors import AppliedError
from digital_academy.applied.mentors import (
    Learner,
    Mentor,
    Weights,
    exclusion,
    fit,
    match,
    objective,
)
from digital_academy.applied.pairings import current_pairings
from digital_academy.applied.people import load_learners, load_mentors
from digital_academy.cli.main import cli

from .factory import write_yaml


def _brute_force(
    mentors: list[Mentor],
    learners: list[Learner],
    goals: dict[str, tuple[str, ...]],
    weights: Weights,
) -> tuple[int, float]:
    """The best (matched, total fit) over every assignment that respects the hard rules."""
    options = []
    for learner in learners:
        ok = [m for m in mentors if exclusion(m, learner) is None]
        options.append([None, *ok])
    best = (0, 0.0)
    for choice in itertools.product(*options):
        load: dict[str, int] = {}
        for mentor in choice:
            if mentor is not None:
                load[mentor.id] = load.get(mentor.id, 0) + 1
        if any(load[m.id] > m.capacity for m in mentors if m.id in load):
            continue
        pairs = [(m, p) for m, p in zip(choice, learners, strict=True) if m is not None]
        value = (len(pairs), sum(fit(m, p, goals[p.id], weights).score for m, p in pairs))
        if value[0] > best[0] or (value[0] == best[0] and value[1] > best[1] + 1e-12):
            best = value
    return best


def _random_case(
    rng: random.Random,
) -> tuple[list[Mentor], list[Learner], dict[str, tuple[str, ...]]]:
    codes = [f"fw:D{i}" for i in range(1, 6)]
    orgs = ["trust-a", "trust-b", "trust-c", ""]
    mentors = [
        Mentor(
            id=f"m{i}",
            capacity=rng.randint(0, 2),
            profession=rng.choice(["nurse", "doctor"]),
            region=rng.choice(["north", "south"]),
            organisation=rng.choice(orgs),
            expertise=tuple(rng.sample(codes, rng.randint(0, 4))),
        )
        for i in range(rng.randint(1, 3))
    ]
    learners = []
    for i in range(rng.randint(1, 5)):
        managers = tuple(m.id for m in mentors if rng.random() < 0.2)
        learners.append(
            Learner(
                id=f"l{i}",
                profession=rng.choice(["nurse", "doctor", "ahp"]),
                region=rng.choice(["north", "south", "east"]),
                organisation=rng.choice(orgs),
                line_managers=managers,
            )
        )
    goals = {p.id: tuple(rng.sample(codes, rng.randint(0, 4))) for p in learners}
    return mentors, learners, goals


def test_optimal_on_random_small_cases_against_brute_force() -> None:
    rng = random.Random(10)
    weights = Weights()
    for _ in range(150):
        mentors, learners, goals = _random_case(rng)
        result = match(mentors, learners, goals, weights)
        count, total = objective(result)
        best_count, best_total = _brute_force(mentors, learners, goals, weights)
        assert count == best_count
        assert total == pytest.approx(best_total, abs=1e-9)
        # The hard rules hold in every answer.
        by_id = {m.id: m for m in mentors}
        people = {p.id: p for p in learners}
        for m in result.matches:
            assert exclusion(by_id[m.mentor], people[m.learner]) is None
        for mentor in mentors:
            assert sum(m.mentor == mentor.id for m in result.matches) <= mentor.capacity
        assert len(result.matches) + len(result.unmatched) == len(learners)


def test_a_case_with_a_known_best_assignment() -> None:
    """Greedy would give ann the best fit (mo) and strand ben; optimal pairs ann-jo, ben-mo."""
    mentors = [
        Mentor(id="mo", capacity=1, expertise=("fw:D1", "fw:D2")),
        Mentor(id="jo", capacity=1, expertise=("fw:D1",)),
    ]
    learners = [
        Learner(id="ann", goals=("fw:D1", "fw:D2")),
        Learner(id="ben", goals=("fw:D1", "fw:D2"), line_managers=("jo",)),
    ]
    goals = {p.id: p.goals for p in learners}
    result = match(mentors, learners, goals, Weights(competency=1, profession=0, region=0))
    assert {(m.learner, m.mentor) for m in result.matches} == {("ann", "jo"), ("ben", "mo")}
    assert result.unmatched == ()
    explained = {m.learner: m.explanation for m in result.matches}
    assert explained["ben"] == "covers 2 of 2 goal competencies (fw:D1, fw:D2); fit 1.00 of 1"
    assert explained["ann"].startswith("covers 1 of 2 goal competencies (fw:D1)")


def test_soft_preferences_are_explained() -> None:
    mentor = Mentor(id="mo", capacity=1, profession="nurse", region="north", expertise=("fw:D1",))
    learner = Learner(id="ann", profession="Nurse", region="south", goals=("fw:D1", "fw:D2"))
    result = match([mentor], [learner], {"ann": learner.goals})
    (only,) = result.matches
    # 0.6 * 1/2 + 0.25 * 1 (professions match, ignoring case) + 0.15 * 0
    assert only.score == pytest.approx(0.55)
    assert only.explanation == (
        "covers 1 of 2 goal competencies (fw:D1); same profession "
        "(Nurse); different region (north); fit 0.55 of 1"
    )


def test_more_learners_than_places_still_matches_and_explains_the_shortfall() -> None:
    mentors = [Mentor(id="mo", capacity=2), Mentor(id="jo", capacity=1)]
    learners = [Learner(id=f"l{i}") for i in range(5)]
    result = match(mentors, learners, {})
    assert len(result.matches) == 3 and result.capacity == 3 and result.shortfall == 2
    assert len(result.unmatched) == 2
    for u in result.unmatched:
        assert u.reason.startswith("not enough mentor places: 5 learners for 3 places (short by 2)")


def test_no_eligible_mentor_is_explained() -> None:
    mentors = [
        Mentor(id="mo", capacity=3, organisation="Trust A"),
        Mentor(id="jo", capacity=1),
        Mentor(id="al", capacity=0),
    ]
    learner = Learner(id="ann", organisation="trust a", line_managers=("jo",))
    result = match(mentors, [learner], {})
    assert result.matches == ()
    assert result.unmatched[0].reason == (
        "no eligible mentor: al has no capacity; jo is in their line management; "
        "mo works in the same organisation (trust a)"
    )


def test_goals_come_from_the_learners_pathway_in_the_real_catalogue(
    repo: Path, tmp_path: Path
) -> None:
    catalog = catalogue(repo)
    write_yaml(
        tmp_path / "learners.yml",
        {
            "learners": [
                {"id": "ann", "pathway": "ccio-cnio-essentials", "goals": ["hee-dcf:TLSD.1"]},
            ]
        },
    )
    learners, goals = load_learners(tmp_path / "learners.yml", catalog)
    assert learners[0].id == "ann"
    pathway = next(p for _, p in catalog.pathways() if p.id == "ccio-cnio-essentials")
    expected = {c for m in pathway.modules for c in catalog.modules[m].competencies}
    assert set(goals["ann"]) == expected | {"hee-dcf:TLSD.1"}


@pytest.mark.parametrize(
    ("kind", "content", "words"),
    [
        (
            "learners.yml",
            {"learners": [{"id": "ann", "pathway": "nope"}]},
            "unknown pathway 'nope'",
        ),
        ("learners.yml", [{"id": "ann", "goals": ["fci-core:Z9"]}], "competency 'fci-core:Z9'"),
        ("learners.yml", [{"id": "ann"}, {"id": "ann"}], "[1]: learner id 'ann' appears twice"),
        ("mentors.yml", [{"id": "mo", "capacity": -1}], "[0]: field capacity"),
        ("mentors.yml", [{"id": "Mo!", "capacity": 1}], "[0]: field id"),
        ("mentors.yml", {"people": []}, "expected a list of mentors"),
        ("mentors.csv", "id,capacity\nmo,lots\n", "line 2: field capacity"),
    ],
)
def test_bad_input_files_name_the_file_and_the_record(
    repo: Path, tmp_path: Path, kind: str, content: object, words: str
) -> None:
    path = tmp_path / kind
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        write_yaml(path, content)
    load = load_mentors if kind.startswith("mentors") else load_learners
    with pytest.raises(AppliedError, match=None) as caught:
        load(path, catalogue(repo))
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_cli_matches_from_csv_explains_and_saves(repo: Path, state: Path, tmp_path: Path) -> None:
    (tmp_path / "mentors.csv").write_text(
        "id,capacity,profession,region,organisation,expertise\n"
        "mentor1,1,nurse,north,trust-a,fci-core:D6.1;fci-core:D4.1\n"
        "mentor2,1,doctor,south,trust-b,fci-core:D5.2\n",
        "utf-8",
    )
    (tmp_path / "learners.csv").write_text(
        "id,pathway,goals,profession,region,organisation,line_managers\n"
        "learner1,ccio-cnio-essentials,,nurse,north,trust-b,\n"
        "learner2,,fci-core:D5.2,doctor,south,trust-a,\n"
        "learner3,,,nurse,north,trust-c,\n",
        "utf-8",
    )
    runner = CliRunner()
    args = [
        "mentors",
        "match",
        "--root",
        str(repo),
        "--mentors",
        str(tmp_path / "mentors.csv"),
        "--learners",
        str(tmp_path / "learners.csv"),
    ]
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {(m["learner"], m["mentor"]) for m in payload["matches"]} == {
        ("learner1", "mentor1"),
        ("learner2", "mentor2"),
    }
    assert payload["shortfall"] == 1
    assert payload["unmatched"][0]["learner"] == "learner3"
    assert "not enough mentor places" in payload["unmatched"][0]["reason"]
    assert not state.exists()  # nothing saved without --save
    result = runner.invoke(cli, [*args, "--save"])
    assert result.exit_code == 1 and "--as" in result.output
    result = runner.invoke(cli, [*args, "--save", "--as", "lead", "--cohort", "leaders-2026"])
    assert result.exit_code == 0, result.output
    assert "short of 1 place" in result.output
    assert {k: v.mentor for k, v in current_pairings(repo).items()} == {
        "learner1": "mentor1",
        "learner2": "mentor2",
    }
    result = runner.invoke(cli, [*args, "--weights", "region=x"])
    assert result.exit_code == 1 and "write name=number" in result.output


def test_the_documented_example_matches_as_the_docs_say(repo: Path) -> None:
    catalog = catalogue(repo)
    folder = repo / "docs/examples/applied"
    mentors = load_mentors(folder / "mentors.yml", catalog)
    learners, goals = load_learners(folder / "learners.yml", catalog)
    result = match(mentors, learners, goals)
    pairs = {m.learner: m.mentor for m in result.matches}
    assert len(pairs) == 4 and result.shortfall == 1
    assert pairs.get("learner3") != "mentor1"  # mentor1 is learner3's line manager
    assert all(
        not (p.organisation and m.organisation == p.organisation)
        for p in learners
        for m in mentors
        if pairs.get(p.id) == m.id
    )
    assert [u.learner for u in result.unmatched] == ["learner5"]
    assert "short by 1" in result.unmatched[0].reason
