"""A curriculum file is refused, with its line and what to do, whatever it holds.

The catalogue reads every file of the curricula folder for the pages that list them, so a
file that could raise anything but CurriculumError, or stall the reader, would take those
pages down.
"""

import html
import importlib
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from roadmap.curriculum import CurriculumError, catalogue, parse_curriculum, read_curriculum
from roadmap.curriculum.format import MAX_FILE_SIZE, MAX_ITEMS, MAX_VALUES
from roadmap.models import Roadmap
from tests.conftest import SMALL_CURRICULUM

# The package exports a function of the same name, which hides the module from monkeypatch.
catalogue_module = importlib.import_module("roadmap.curriculum.catalogue")
SMALL = SMALL_CURRICULUM.read_text()
NEW = reverse("roadmap:new")


def line_of(text: str, fragment: str) -> int:
    """The line `fragment` first appears on."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def errors_of(text: str) -> list[str]:
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, source="bad.yaml")
    return caught.value.errors


def nested(levels: int) -> str:
    """The small curriculum with a stage summary nested `levels` lists deep."""
    return SMALL.replace(
        "summary: Where everyone starts.", "summary: " + "[" * levels + "]" * levels
    )


def alias_bomb(levels: int = 10, width: int = 10) -> str:
    """'Billion laughs': each line holds `width` aliases of the line before, so the last
    stands for width ** levels strings, in a few hundred bytes."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [
        f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * width) + "]" for n in range(1, levels)
    ]
    return SMALL + "\n".join(lines) + "\n"


def too_large() -> str:
    """A valid-looking curriculum past the size limit: the last topic with many milestones."""
    milestone = (
        "          - key: extra-{n}\n"
        "            title: An extra milestone, number {n}\n"
        "            kind: learn\n"
        "            hours: 1\n"
        "            evidence: A note\n"
    )
    count = MAX_FILE_SIZE // len(milestone) + 1
    return SMALL + "".join(milestone.format(n=n) for n in range(count))


# One file of each kind the reader once let through, with what its refusal says.
BAD_FILES = {
    "nan-hours.yaml": (
        SMALL.replace("hours: 6\n", "hours: .nan\n"),
        "milestone 'svd-pca': hours must be a number such as 2 or 1.5, got nan",
    ),
    "inf-hours.yaml": (
        SMALL.replace("hours: 6\n", "hours: .inf\n"),
        "hours must be a number such as 2 or 1.5, got inf",
    ),
    "deep.yaml": (nested(500), "nested more than 20 levels deep"),
    "alias-bomb.yaml": (alias_bomb(), "anchor '&lol0' is not allowed"),
    "too-large.yaml": (too_large(), "larger than 2,097,152 bytes (2 MB)"),
    "duplicate-title.yaml": (
        SMALL.replace("hours: 6\n", "hours: 6\n            title: Again\n"),
        "field 'title' is given twice (first on line 44); keep one",
    ),
    "duplicate-stages.yaml": (
        SMALL + "stages: []\n",
        "field 'stages' is given twice (first on line 6); keep one",
    ),
}


@pytest.mark.parametrize(("hours", "shown"), [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_hours_that_are_not_a_finite_number_are_refused_with_their_line(hours, shown):
    errors = errors_of(SMALL.replace("hours: 6\n", f"hours: {hours}\n"))
    assert errors == [
        f"bad.yaml:{line_of(SMALL, 'key: svd-pca')}: stage 'basics' > topic 'linear-algebra' > "
        f"milestone 'svd-pca': hours must be a number such as 2 or 1.5, got {shown}"
    ]


@pytest.mark.parametrize(
    "text",
    [
        nested(500),
        # Block style: each level a mapping one space further in.
        SMALL + "deep:\n" + "".join(" " * n + "a:\n" for n in range(1, 500)),
    ],
    ids=["flow", "block"],
)
def test_nesting_past_the_limit_is_refused_at_the_line_that_passes_it(text):
    errors = errors_of(text)
    assert len(errors) == 1
    assert "nested more than 20 levels deep, where a curriculum needs 7" in errors[0]
    # The file's own mapping is the first level; under `deep:`, line n opens level n + 1.
    expected = line_of(text, "[[[") if "[[[" in text else line_of(text, "deep:") + 20
    assert errors[0].startswith(f"bad.yaml:{expected}: ")


def test_alias_bomb_is_refused_at_its_first_anchor_before_anything_is_expanded():
    text = alias_bomb()
    assert len(text) - len(SMALL) < 4_000
    errors = errors_of(text)
    assert errors == [
        f"bad.yaml:{line_of(text, 'lol0:')}: anchor '&lol0' is not allowed: a curriculum "
        "cannot use YAML anchors (&) or aliases (*); write the value out in full"
    ]


def test_an_alias_alone_is_refused_as_well():
    errors = errors_of(SMALL.replace("summary: Where everyone starts.", "summary: *elsewhere"))
    assert errors[0].startswith(f"bad.yaml:{line_of(SMALL, 'Where everyone starts')}: ")
    assert "alias '*elsewhere' is not allowed" in errors[0]


def test_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "too-large.yaml"
    text = too_large()
    path.write_text(text)
    assert path.stat().st_size > MAX_FILE_SIZE
    with pytest.raises(CurriculumError) as caught:
        read_curriculum(path, source="too-large.yaml")
    line = text[:MAX_FILE_SIZE].count("\n") + 1
    assert caught.value.errors == [
        f"too-large.yaml:{line}: the file is larger than 2,097,152 bytes (2 MB), the most a "
        "curriculum may be; it passes that size on this line: split it into several curricula"
    ]


def test_text_over_the_size_limit_is_refused_by_its_length():
    errors = errors_of(too_large())
    assert "the text is larger than 2,097,152 bytes (2 MB)" in errors[0]


@pytest.mark.parametrize(
    ("text", "first", "second", "message"),
    [
        (
            SMALL.replace("hours: 6\n", "hours: 6\n            title: Again\n"),
            "title: Derive and code PCA",
            "title: Again",
            "stage 'basics' > topic 'linear-algebra' > milestone 'svd-pca': field 'title' is "
            "given twice",
        ),
        (SMALL + "stages: []\n", "stages:", "stages: []", "field 'stages' is given twice"),
    ],
    ids=["milestone-title", "stages"],
)
def test_field_given_twice_is_refused_at_the_line_of_the_second(text, first, second, message):
    errors = errors_of(text)
    expected = (
        f"bad.yaml:{line_of(text, second)}: {message} (first on line {line_of(text, first)}); "
        "keep one"
    )
    assert expected in errors


def test_more_values_than_the_limit_are_refused_before_they_are_built():
    text = SMALL + "padding: [" + "1, " * MAX_VALUES + "]\n"
    errors = errors_of(text)
    assert errors == [
        f"bad.yaml:{line_of(text, 'padding:')}: more than 100,000 values (every key, text, "
        "number, list and mapping counts one): split the file into several curricula"
    ]


def test_more_topics_than_the_limit_are_refused_at_the_first_one_past_it():
    limit = MAX_ITEMS["topic"]
    topics = "".join(
        f"      - {{key: t{n}, title: T, milestones: "
        f"[{{key: m{n}, title: M, kind: learn, hours: 1, evidence: e}}]}}\n"
        for n in range(limit + 1)
    )
    text = f"key: big\ntitle: Big\nversion: 1\nstages:\n  - key: s\n    title: S\n    topics:\n{topics}"
    errors = errors_of(text)
    assert errors == [
        f"bad.yaml:{line_of(text, f'key: t{limit},')}: stage 's' > topic 't{limit}': more than "
        "1,000 topics in one file: split it into several curricula"
    ]


def test_a_cycle_through_a_thousand_prerequisites_is_found_without_recursion():
    count = MAX_ITEMS["topic"]
    topics = "".join(
        f"      - {{key: t{n}, title: T, prerequisites: [t{(n + 1) % count}], milestones: "
        f"[{{key: m{n}, title: M, kind: learn, hours: 1, evidence: e}}]}}\n"
        for n in range(count)
    )
    text = f"key: ring\ntitle: Ring\nversion: 1\nstages:\n  - key: s\n    title: S\n    topics:\n{topics}"
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith("bad.yaml:8: topic 't0': prerequisites form a cycle: t0 -> t1 ->")
    assert errors[0].endswith("-> t999 -> t0")


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ("hours: 0x" + "f" * 5_000, "a number of 5,002 characters is too long"),
        ("hours: " + "1" * 5_000, "a number of 5,000 characters is too long"),
        ("hours: 2026-13-45", "not valid YAML: cannot read '2026-13-45' (month must be in 1..12)"),
        ("hours: 6\x00", "not valid YAML: character #x00: control characters are not allowed"),
        ("hours: 6\ud800", "character '\\ud800' is not text (a lone surrogate): remove it"),
        ("<<: {hours: 6}", "merge keys (<<) are not allowed in a curriculum"),
    ],
    ids=["hex", "digits", "date", "nul", "surrogate", "merge"],
)
def test_values_yaml_cannot_read_are_refused_with_their_line(replacement, message):
    text = SMALL.replace("hours: 6", replacement)
    errors = errors_of(text)
    assert errors[0].startswith(f"bad.yaml:{line_of(SMALL, 'hours: 6')}: ")
    assert message in errors[0]


def test_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SMALL.replace("Linear algebra", "Algèbre linéaire").encode("latin-1"))
    with pytest.raises(CurriculumError) as caught:
        read_curriculum(path, source="latin1.yaml")
    assert caught.value.errors[0].startswith(f"latin1.yaml:{line_of(SMALL, 'Linear algebra')}: ")
    assert "not UTF-8 text" in caught.value.errors[0]


@pytest.fixture
def curricula_with_bad_files(settings, tmp_path):
    folder = tmp_path / "curricula"
    folder.mkdir()
    (folder / "test-path.yaml").write_text(SMALL)
    for name, (text, _) in BAD_FILES.items():
        (folder / name).write_text(text)
    settings.CURRICULA_DIR = folder
    return folder


@pytest.mark.django_db
def test_new_roadmap_page_lists_each_bad_file_as_unavailable_and_the_good_one_startable(
    learner_client, curricula_with_bad_files
):
    response = learner_client.get(NEW)
    assert response.status_code == 200
    page = html.unescape(re.sub(r"\s+", " ", response.content.decode()))
    for name, (_, reason) in BAD_FILES.items():
        assert f"{name}</strong>: unavailable, this file has errors" in page
        assert reason in page
        assert f'value="{name}"' not in page
    assert 'value="test-path.yaml"' in page

    response = learner_client.post(
        NEW,
        {
            "curriculum": "test-path.yaml",
            "title": "My path",
            "slug": "my-path",
            "started_on": "2026-01-05",
            "target_date": "2027-01-05",
            "time_zone": "UTC",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    assert Roadmap.objects.get().milestones.count() == 10


@pytest.mark.django_db
def test_a_defect_in_the_reader_shows_the_file_as_unavailable_not_a_server_error(
    learner_client, curricula_with_bad_files, monkeypatch, caplog
):
    def broken(path, *, source=None):
        raise TypeError("a defect")

    monkeypatch.setattr(catalogue_module, "read_curriculum", broken)
    monkeypatch.setattr(catalogue_module, "_parsed", {})
    response = learner_client.get(NEW)
    assert response.status_code == 200
    assert "test-path.yaml: cannot be read: an unexpected error, logged" in (
        response.content.decode()
    )
    assert "Unexpected error reading the curriculum file" in caplog.text


def test_catalogue_reads_a_folder_of_bad_files_into_entries_with_errors(curricula_with_bad_files):
    entries = {entry.name: entry for entry in catalogue(curricula_with_bad_files)}
    assert entries["test-path.yaml"].spec is not None
    for name, (_, reason) in BAD_FILES.items():
        assert entries[name].spec is None
        assert any(
            reason in error and error.startswith(f"{name}:") for error in entries[name].errors
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_FILES)
def test_load_curriculum_command_refuses_each_bad_file_and_writes_nothing(
    learner, tmp_path, capsys, name
):
    text, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("load_curriculum", str(path), owner="ada")
    assert reason in capsys.readouterr().err
    assert not Roadmap.objects.exists()


def with_target_value(value: str) -> str:
    return SMALL.replace(
        "hours: 6\n",
        f"hours: 6\n            target: {{metric: accuracy, value: {value}, direction: at_least}}\n",
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"95.1"', "value must be a number such as 30 or 0.95, got '95.1'"),
        ("true", "value must be a number such as 30 or 0.95, got true/false"),
        (".nan", "value must be a number such as 30 or 0.95, got nan"),
        ("-.inf", "value must be a number such as 30 or 0.95, got -inf"),
        ("10000000000", "value must be under 10,000,000,000, got 10000000000"),
        # Under the bound as written, but not once kept to 4 decimal places.
        ("9999999999.99999", "value must be under 10,000,000,000, got 9999999999.99999"),
    ],
)
def test_a_target_number_that_cannot_be_stored_is_refused_with_its_line(value, problem):
    text = with_target_value(value)
    assert errors_of(text) == [
        f"bad.yaml:{line_of(text, 'target:')}: stage 'basics' > topic 'linear-algebra' > "
        f"milestone 'svd-pca': target: {problem}"
    ]


def test_a_target_number_is_kept_to_four_decimal_places():
    spec = parse_curriculum(with_target_value("95.123449"), source="good.yaml")
    (target,) = [m.target for m in spec.milestones if m.target]
    assert str(target.value) == "95.1234"
