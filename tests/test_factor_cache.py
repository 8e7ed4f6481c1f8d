"""The factor cache: pint's factors kept between runs, never changing a figure.

Every test starts from an empty cache directory of its own (conftest's factor_cache_dir);
these also empty the process's memory of factors and plans, so each lookup goes to the
file or to pint, and counts pint's calls.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from infuse_calc import engine, factor_cache, units
from infuse_calc.dosing import Calculation, calculate
from infuse_calc.errors import InfuseCalcError
from infuse_calc.quantities import parse_concentration, parse_dose, parse_rate_unit, parse_weight

DOSES = [
    "7 mcg/kg/min",
    "0.05 mcg/kg/h",
    "2 mg/kg/h",
    "4 mg/h",
    "250 mcg/min",
    "3 ng/kg/min",
    "2 g/day",
    "18 units/kg/h",
    "2 milliunits/min",
    "0.5 units/min",
    "1 mmol/kg/h",
    "20 mEq/h",
    "3 mL/h",
    "0.5 mL/kg/h",
    "1 L/day",
]
WEIGHTS = [None, "72", "154 lb", "850 g"]
CONCENTRATIONS = [
    None,
    "10 mg/mL",
    "500 mg/250 mL",
    "4 mg in 250 mL",
    "1%",
    "1 g/L",
    "25000 units/250 mL",
    "30 units in 500 mL",
    "2 mmol/mL",
    "40 mEq/100 mL",
]
TARGETS = [None, "mg/kg/h", "mcg/min", "mL/h", "units/kg/h", "mcg/kg/min", "mmol/h"]


def every_calculation() -> Iterator[Calculation]:
    """Every combination of the lists above that calculate accepts."""
    for dose, weight, conc, target in itertools.product(DOSES, WEIGHTS, CONCENTRATIONS, TARGETS):
        try:
            yield calculate(
                parse_dose(dose),
                None if weight is None else parse_weight(weight),
                None if conc is None else parse_concentration(conc),
                None if target is None else parse_rate_unit(target)[0],
            )
        except InfuseCalcError:
            continue


def forget() -> None:
    units.forget()
    engine.plan.cache_clear()
    engine.choice.cache_clear()


@pytest.fixture
def pint_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Forget every factor; record each one pint is asked for from now on."""
    forget()
    calls: list[tuple[str, str]] = []
    original = units.pint_factor

    def counting(source: str, target: str) -> Fraction:
        calls.append((source, target))
        return original(source, target)

    monkeypatch.setattr(units, "pint_factor", counting)
    return calls


def seed() -> Calculation:
    return calculate(
        parse_dose("7 mcg/kg/min"), parse_weight("72"), parse_concentration("10 mg/mL")
    )


def cache_file(directory: Path) -> Path:
    return directory / factor_cache.FILE_NAME


# --- the values -----------------------------------------------------------------------------


def test_every_cached_factor_is_pints(factor_cache_dir: Path, pint_calls: list[object]) -> None:
    figures = [calc.record() for calc in every_calculation()]
    document = json.loads(cache_file(factor_cache_dir).read_text(encoding="utf-8"))
    stored = document["factors"]
    assert len(stored) > 200  # the combinations above need a few hundred factors
    for name, text in stored.items():
        source, target = name.split(">")
        assert Fraction(text) == units.pint_factor(source, target), name
    # a second process (here: memory forgotten) reads them back and gets the same figures
    forget()
    pint_calls.clear()
    assert [calc.record() for calc in every_calculation()] == figures
    assert pint_calls == []


def test_the_seed_order_from_the_cache_is_hand_arithmetic(pint_calls: list[object]) -> None:
    seed()
    forget()
    pint_calls.clear()
    calc = seed()
    assert pint_calls == []
    # 7 x 72 = 504 mcg/min; x 60 / 1000 = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h
    assert calc.per_minute is not None
    assert calc.per_hour is not None
    assert calc.per_minute.value == 504
    assert calc.per_hour.value == Fraction("30.24")
    assert calc.pump_rate is not None
    assert calc.pump_rate.value == Fraction("3.024")


def test_the_file_names_its_key_and_checks_its_content(
    factor_cache_dir: Path, pint_calls: list[object]
) -> None:
    from importlib.metadata import version

    import infuse_calc

    seed()
    document = json.loads(cache_file(factor_cache_dir).read_text(encoding="utf-8"))
    assert document["key"]["schema"] == factor_cache.SCHEMA
    assert document["key"]["infuse_calc"] == infuse_calc.__version__
    assert document["key"]["pint"] == version("pint") == factor_cache.pint_version()
    assert len(document["key"]["units"]) == 8  # a crc32 of units.txt
    # "mcg/kg/min*kg" to "mg/h": x 60 min/h / 1000 mcg/mg = 3/50
    assert document["factors"]["mcg/kg/min*kg>mg/h"] == "3/50"


def test_the_environment_variable_chooses_the_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.setenv(factor_cache.ENV_VAR, str(tmp_path))
    assert factor_cache.directory() == str(tmp_path)
    monkeypatch.delenv(factor_cache.ENV_VAR)
    assert factor_cache.directory() == platformdirs.user_cache_dir("infuse-calc")


# --- a cache that cannot be used: pint, silently, and the same figures ----------------------


def stored_then_spoiled(directory: Path, spoil: str) -> None:
    """Fill the cache from a calculation, then spoil the file in one way."""
    seed()
    path = cache_file(directory)
    document = json.loads(path.read_text(encoding="utf-8"))
    if spoil == "missing":
        path.unlink()
    elif spoil == "stale pint":
        document["key"]["pint"] = "0.1"
        path.write_text(json.dumps(document), encoding="utf-8")
    elif spoil == "stale units":
        document["key"]["units"] = "00000000"
        path.write_text(json.dumps(document), encoding="utf-8")
    elif spoil == "stale schema":
        document["key"]["schema"] = factor_cache.SCHEMA + 1
        path.write_text(json.dumps(document), encoding="utf-8")
    elif spoil == "a wrong value":  # a changed digit, say: the check no longer matches
        document["factors"]["mcg/kg/min*kg>mg/h"] = "3/49"
        path.write_text(json.dumps(document), encoding="utf-8")
    elif spoil == "a value that is not a ratio":
        document["factors"]["mcg/kg/min*kg>mg/h"] = "0.06"
        document["check"] = factor_cache._checksum(document["factors"])
        path.write_text(json.dumps(document), encoding="utf-8")
    elif spoil == "truncated":
        path.write_text(path.read_text(encoding="utf-8")[:100], encoding="utf-8")
    elif spoil == "not text":
        path.write_bytes(b"\xff\xfe\x00garbage")
    elif spoil == "not our layout":
        path.write_text("[1, 2, 3]", encoding="utf-8")
    elif spoil == "unreadable":
        path.unlink()
        path.mkdir()  # opening a directory fails, even for root
    else:
        raise AssertionError(spoil)


SPOILS = [
    "missing",
    "stale pint",
    "stale units",
    "stale schema",
    "a wrong value",
    "a value that is not a ratio",
    "truncated",
    "not text",
    "not our layout",
    "unreadable",
]


@pytest.mark.parametrize("spoil", SPOILS)
def test_an_unusable_cache_falls_back_to_pint(
    factor_cache_dir: Path, pint_calls: list[object], spoil: str
) -> None:
    expected = seed().record()
    stored_then_spoiled(factor_cache_dir, spoil)
    forget()
    pint_calls.clear()
    assert seed().record() == expected
    assert pint_calls  # pint was asked again
    if spoil != "unreadable":  # and the file was written anew, valid for this key
        factor_cache.reset()
        assert factor_cache.get("mcg/kg/min*kg", "mg/h") == Fraction(3, 50)


def test_an_unwritable_cache_directory_is_silent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pint_calls: list[object]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(factor_cache.ENV_VAR, str(blocked))
    factor_cache.reset()
    calc = seed()
    assert calc.per_day is not None
    assert calc.per_day.value == Fraction("725.76")
    assert blocked.read_text(encoding="utf-8") == "not a directory"
    assert list(tmp_path.iterdir()) == [blocked]  # no temporary file left behind


def test_writers_merge_what_others_wrote(factor_cache_dir: Path, pint_calls: list[object]) -> None:
    seed()
    first = json.loads(cache_file(factor_cache_dir).read_text(encoding="utf-8"))["factors"]
    # another process, knowing nothing of the first, works out another combination
    forget()
    calculate(parse_dose("3 mL/h"), None, parse_concentration("2 mmol/mL"))
    both = json.loads(cache_file(factor_cache_dir).read_text(encoding="utf-8"))["factors"]
    assert set(first) < set(both)
    assert not [p for p in factor_cache_dir.iterdir() if p.name.endswith(".tmp")]
