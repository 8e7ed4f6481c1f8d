"""The built-in standard concentrations: checked against the documents, and for integrity.

The expected figures below were typed from the sources themselves (the S4S adult table,
version 1.01, and the FDA NDC listings named in each case), not copied from the data file;
each comparison is exact (amount per mL through pint, as Fractions).
"""

from __future__ import annotations

import tomllib
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infuse_calc.errors import IncompatibleError
from infuse_calc.library import LIMIT_KEYS, tall_man
from infuse_calc.library_choice import per_ml
from infuse_calc.library_limits import dose_in
from infuse_calc.library_parse import builtin_library, builtin_text
from infuse_calc.quantities import HOUR, Dose, Kind, RateUnit, parse_concentration

LIBRARY = builtin_library()


def entry(name: str) -> Any:
    return LIBRARY.find(name)


# --- against the documents --------------------------------------------------------------

# (drug, index, figure as printed in S4S version 1.01, its label there, dosing unit there)
S4S_1_01 = [
    ("alteplase", 0, "1 mg/mL", "", "mg/h"),
    ("amiodarone", 0, "1.5 mg/mL", "peripheral", "mg/min"),
    ("amiodarone", 1, "3.6 mg/mL", "central", "mg/min"),
    ("argatroban", 0, "1 mg/mL", "", "mcg/kg/min"),
    ("bumetanide", 0, "0.25 mg/mL", "", "mg/h"),
    ("cisatracurium", 0, "2 mg/mL", "", "mcg/kg/min"),
    ("dexmedetomidine", 0, "4 mcg/mL", "", "mcg/kg/h"),
    ("diltiazem", 0, "1 mg/mL", "", "mg/h"),
    ("dobutamine", 0, "4000 mcg/mL", "", "mcg/kg/min"),
    ("dopamine", 0, "1600 mcg/mL", "first", "mcg/kg/min"),
    ("dopamine", 1, "3200 mcg/mL", "second", "mcg/kg/min"),
    ("epinephrine", 0, "20 mcg/mL", "first", "mcg/kg/min"),
    ("epinephrine", 1, "40 mcg/mL", "second", "mcg/kg/min"),
    ("esmolol", 0, "10 mg/mL", "peripheral", "mcg/kg/min"),
    ("esmolol", 1, "20 mg/mL", "central", "mcg/kg/min"),
]


@pytest.mark.parametrize(("drug", "index", "figure", "label", "unit"), S4S_1_01)
def test_s4s_figures_as_published(
    drug: str, index: int, figure: str, label: str, unit: str
) -> None:
    standard = entry(drug).concentrations[index]
    assert per_ml(standard.concentration) == per_ml(parse_concentration(figure))
    assert standard.label == label
    assert (standard.basis, standard.reference) == ("standard", "S4S-1.01")
    assert str(entry(drug).dose_unit) == unit
    assert entry(drug).dose_unit_source.startswith("S4S-1.01")


# (drug, index, NDC, strength and container as listed, the same per mL worked by hand)
FDA_LABELS = [
    # 4 mg / 250 mL = 4,000 mcg / 250 mL = 16 mcg/mL
    ("norepinephrine", 0, "0338-0112", "4 mg/250 mL", "16 mcg/mL"),
    # 10,000 USP units / 100 mL (250 mL bag: 25,000 units) = 100 units/mL
    ("heparin", 0, "63323-517", "10000 units/100 mL", "100 units/mL"),
    # 20 USP units / 100 mL = 0.2 units/mL
    ("vasopressin", 0, "0338-9640", "20 units/100 mL", "0.2 units/mL"),
    # 80 ug/mL, 250 mL bag
    ("phenylephrine", 0, "43598-182", "80 mcg/mL", "0.08 mg/mL"),
    # .2 mg/mL, 100 mL bag = 200 mcg/mL
    ("milrinone", 0, "0338-6010", "0.2 mg/mL", "200 mcg/mL"),
    # 10 mg / 100 mL = 100 mcg/mL; the label: each 100 mL contains 10, 20 or 40 mg
    ("nitroglycerin", 0, "0338-1047", "10 mg/100 mL", "100 mcg/mL"),
    ("nitroglycerin", 2, "label", "40 mg/100 mL", "400 mcg/mL"),
    ("nicardipine", 0, "44567-850", "0.1 mg/mL", "100 mcg/mL"),
    ("nicardipine", 1, "65219-298", "0.2 mg/mL", "200 mcg/mL"),
    ("clevidipine", 0, "10122-610", "0.5 mg/mL", "500 mcg/mL"),
    ("nitroprusside", 0, "51754-1029", "0.2 mg/mL", "200 mcg/mL"),
    ("nitroprusside", 1, "70436-207", "0.5 mg/mL", "500 mcg/mL"),
    ("labetalol", 0, "0143-9363", "1 mg/mL", "1000 mcg/mL"),
    ("lidocaine", 0, "0338-0409", "4 mg/mL", "2000 mg/500 mL"),
    ("lidocaine", 1, "51662-1657", "8 mg/mL", "2000 mg/250 mL"),
    # 5 mg / 100 mL = 50 mcg/mL
    ("tirofiban", 0, "25208-002", "5 mg/100 mL", "50 mcg/mL"),
    # .75 mg/mL in a 100 mL vial = 75 mg/100 mL
    ("eptifibatide", 0, "67457-631", "0.75 mg/mL", "75 mg/100 mL"),
    ("propofol", 0, "63323-269", "10 mg/mL", "1 g/100 mL"),
    ("midazolam", 0, "65219-650", "1 mg/mL", "100 mg/100 mL"),
    # 1 unit/mL, 100 mL
    ("insulin", 0, "0338-0126", "1 units/mL", "100 units/100 mL"),
    # 20 g / 500 mL = 40 mg/mL
    ("magnesium sulfate", 0, "0409-2050", "20 g/500 mL", "40 mg/mL"),
    # 200 mEq / 1,000 mL = 0.2 mEq/mL (20 mEq in a 100 mL bag)
    ("potassium chloride", 0, "0990-7075", "200 mEq/1000 mL", "0.2 mEq/mL"),
    # 20 mg/mL x 100 mL = 2 g
    ("calcium gluconate", 0, "80830-2363", "20 mg/mL", "2 g/100 mL"),
]


@pytest.mark.parametrize(("drug", "index", "ndc", "listed", "worked"), FDA_LABELS)
def test_premix_labels_as_listed(drug: str, index: int, ndc: str, listed: str, worked: str) -> None:
    standard = entry(drug).concentrations[index]
    assert per_ml(standard.concentration) == per_ml(parse_concentration(listed))
    assert per_ml(standard.concentration) == per_ml(parse_concentration(worked))
    assert (standard.basis, standard.reference) == ("premix label", "FDA-NDC")
    if ndc != "label":
        assert ndc in standard.published


def test_s4s_entries_agree_with_the_premixed_products() -> None:
    # second checks of S4S rows whose drug name is not legible in the copy read
    assert per_ml(entry("DOBUTamine").concentrations[0].concentration) == per_ml(
        parse_concentration("400 mg/100 mL")  # NDC 0338-1077: 400 mg/100 mL, 250 mL bag
    )
    assert per_ml(entry("DOPamine").concentrations[0].concentration) == per_ml(
        parse_concentration("1.6 mg/mL")  # NDC 0409-7809
    )
    assert per_ml(entry("dexmedetomidine").concentrations[0].concentration) == per_ml(
        parse_concentration("4 mcg/mL")  # NDC 0781-3494
    )
    assert per_ml(entry("amiodarone").concentrations[0].concentration) == per_ml(
        parse_concentration("150 mg/100 mL")  # NDC 43066-150 Nexterone: 1.5 mg/mL, 100 mL
    )


def test_per_ml_is_exact() -> None:
    # 4 mg/250 mL: 4,000,000 ng / 250 mL = 16,000 ng/mL, exactly
    assert per_ml(entry("norepinephrine").concentrations[0].concentration) == Fraction(16000)


# --- integrity of every entry --------------------------------------------------------------


def test_at_least_30_drugs_across_the_classes() -> None:
    assert len(LIBRARY.drugs) >= 30
    for name in (
        "norepinephrine",  # vasopressors
        "vasopressin",
        "phenylephrine",
        "DOBUTamine",  # inotropes
        "milrinone",
        "propofol",  # sedatives
        "dexmedetomidine",
        "heparin",  # anticoagulants
        "argatroban",
        "amiodarone",  # antiarrhythmics
        "lidocaine",
        "niCARdipine",  # antihypertensives
        "nitroprusside",
        "insulin",
        "magnesium sulfate",  # electrolytes
        "potassium chloride",
    ):
        entry(name)


@pytest.mark.parametrize("drug", LIBRARY.drugs, ids=[d.key for d in LIBRARY.drugs])
def test_every_entry_is_complete(drug: Any) -> None:
    assert drug.source
    assert drug.population == "adult"
    assert drug.concentrations, "no concentration"
    assert drug.dose_unit.kind not in (Kind.VOLUME, Kind.WEIGHT, Kind.TIME)
    sources = {s.split(":")[0] for s in LIBRARY.sources}
    for standard in drug.concentrations:
        # parses (it is parsed: this is the parsed value), and measures what the dose does
        assert standard.concentration.kind is drug.dose_unit.kind
        assert standard.concentration.amount > 0
        assert standard.basis in ("standard", "premix label")
        assert standard.reference in sources
        assert standard.published
    assert drug.limits.items() == []  # no dose limits in the built-in data


def test_names_and_aliases_are_unique_case_insensitively() -> None:
    seen: dict[str, str] = {}
    for drug in LIBRARY.drugs:
        for name in {n.casefold() for n in drug.names}:
            assert seen.setdefault(name, drug.key) == drug.key, name


def test_the_data_file_holds_no_limits_and_names_its_sources() -> None:
    data = tomllib.loads(builtin_text())
    for key, fields in data["drug"].items():
        assert not set(fields) & set(LIMIT_KEYS), key
    meta = data["library"]
    assert meta["version"]
    assert "Reference data" in meta["note"]
    titles = " ".join(meta["sources"])
    assert "Standardize 4 Safety" in titles
    assert "version 1.01, November 2016" in titles
    assert "openFDA" in titles


def test_tall_man_names() -> None:
    for name in ("DOPamine", "DOBUTamine", "EPINEPHrine", "niCARdipine"):
        assert entry(name.lower()).name == name
    # not on the FDA/ISMP lists
    assert entry("norepinephrine").name == "norepinephrine"
    assert tall_man("norepinephrine") == "norepinephrine"


@pytest.mark.parametrize(
    ("typed", "drug"),
    [
        ("Levophed", "norepinephrine"),
        ("NORADRENALINE", "norepinephrine"),
        ("adrenaline", "EPINEPHrine"),
        ("Precedex", "dexmedetomidine"),
        ("KCl", "potassium chloride"),
        (" regular insulin ", "insulin"),
        ("nicardipine", "niCARdipine"),
    ],
)
def test_aliases_and_any_case(typed: str, drug: str) -> None:
    assert entry(typed).name == drug


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("phenylephrin", "did you mean phenylephrine?"),
        ("heprin", "did you mean heparin?"),
        ("noradrenalin", "did you mean norepinephrine?"),  # not EPINEPHrine too
        ("dobutamin", "did you mean DOBUTamine?"),
        ("levofed", "did you mean norepinephrine?"),
    ],
)
def test_unknown_names_suggest_only_close_ones(typed: str, suggested: str) -> None:
    with pytest.raises(IncompatibleError) as info:
        entry(typed)
    message = str(info.value)
    assert f"{suggested} (infuse-calc drugs list shows all 30)" in message
    assert message.count(" or ") == 0


def test_no_suggestion_for_a_name_far_from_every_drug() -> None:
    with pytest.raises(IncompatibleError) as info:
        entry("acetaminophen")
    assert str(info.value) == (
        "drug 'acetaminophen' is not in the drug library (built-in): "
        "infuse-calc drugs list shows all 30"
    )
    # phenylephrine and heparin share letters, not closeness
    assert "heparin" not in " ".join(LIBRARY.close_names("phenylephrine"))


def test_search_matches_names_and_aliases_any_case() -> None:
    assert [d.name for d in LIBRARY.search("vaso")] == ["vasopressin"]
    assert [d.name for d in LIBRARY.search("LEVO")] == ["norepinephrine"]
    assert {d.name for d in LIBRARY.search("pine")} >= {"EPINEPHrine", "norepinephrine"}
    assert LIBRARY.search("zzz") == []


@given(
    value=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(10**6)),
    weight=st.fractions(min_value=Fraction(1, 2), max_value=Fraction(300)),
    drug=st.sampled_from([d for d in LIBRARY.drugs if d.dose_unit.per_kg]),
)
def test_a_dose_in_the_dosing_unit_and_back_is_the_same_dose(
    value: Fraction, weight: Fraction, drug: Any
) -> None:
    """The conversion shown next to a dose typed in another unit is exact and reversible."""
    typed = RateUnit(drug.dose_unit.amount, HOUR)  # e.g. mcg/h for a mcg/kg/min drug
    dose = Dose(value, typed)
    there = dose_in(dose, drug.dose_unit, weight)
    # by hand: value per hour, per kg: / 60 for a per-minute unit, / weight
    per_time = Fraction(60) if drug.dose_unit.time.symbol == "min" else Fraction(1)
    assert there == value / per_time / weight
    assert dose_in(Dose(there, drug.dose_unit), typed, weight) == value
