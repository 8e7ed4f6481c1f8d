"""What the grammar remembers between texts never changes a reading.

Batch reads tens of thousands of distinct texts, so the grammar keeps what is pure in a
text's parts: the tokens of a text's tail (all after its first token), numbers read without
a warning, unit spellings read without a warning, and the units of dose phrases read
without a warning. A text must read the same (value, unit, warnings, or the very error)
whatever was read before it: these tests read texts with everything forgotten before each,
then one after another (and twice), and compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse_calc import quantities, tokens, unit_words
from infuse_calc.errors import InputError
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight


def forget() -> None:
    tokens._TAILS.clear()
    tokens._NUMBERS.clear()
    unit_words._CLEAN.clear()
    quantities._PHRASES.clear()


@pytest.fixture(autouse=True)
def forgotten() -> Iterator[None]:
    forget()
    yield
    forget()


READERS: dict[str, Callable[[str], object]] = {
    "dose": lambda text: parse_dose(text, amounts=True),
    "rate": parse_dose,
    "drip": lambda text: parse_dose(text, drops=True),
    "weight": parse_weight,
    "concentration": parse_concentration,
}


def reading(read: Callable[[str], object], text: str) -> tuple[str, ...]:
    try:
        value = read(text)
    except InputError as error:
        return ("error", str(error))
    return ("read", repr(value), repr(getattr(value, "warnings", None)))


NUMBERS = ["7", "0.5", ".5", "5.0", "05", "7,5", "1,000", "0", "2.50", "72", "1e3", "250"]
WORDS = ["mcg", "MCG", "mg", "Mg", "U", "units", "cc", "mL", "µg", "kg", "lb", "g", "gtt"]
WORDS += ["min", "minute(s)", "h", "hr", "day", "d", "per", "over", "in", "of", "D5W", "NS"]
WORDS += ["USP", "usp", "milliunits", "IU", "half-normal", "half", "normal", "saline", "mg-kg"]
MARKS = ["/", " / ", "%", "(", ")", ":", "-", "−", "*", " ", ""]
PIECE = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(WORDS), st.sampled_from(MARKS))
TEXT = st.lists(PIECE, min_size=1, max_size=8).map(" ".join) | st.lists(
    PIECE, min_size=1, max_size=8
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXT, min_size=1, max_size=12))
def test_a_text_reads_the_same_whatever_was_read_before(texts: list[str]) -> None:
    for name, read in READERS.items():
        alone = []
        for text in texts:
            forget()
            alone.append(reading(read, text))
        forget()
        in_turn = [reading(read, text) for text in texts]
        again = [reading(read, text) for text in texts]
        assert in_turn == alone, name
        assert again == alone, name


def test_usp_units_read_alike_after_the_plain_spelling_and_before_it() -> None:
    # the unit phrase "units/kg/h" is remembered; "USP units/kg/h" is a phrase of its own
    # (two tokens before the slash) and reads as the same unit; the refusal of USP mg is
    # never remembered as a reading
    for texts in (["18 units/kg/h", "18 USP units/kg/h"], ["18 USP units/kg/h", "18 units/kg/h"]):
        forget()
        first, second = (parse_dose(text) for text in texts)
        assert (first.value, str(first.unit)) == (Fraction(18), "units/kg/h")
        assert (second.value, str(second.unit)) == (Fraction(18), "units/kg/h")
    parse_dose("7 mg/kg/h")
    with pytest.raises(InputError) as raised:
        parse_dose("7 USP mg/kg/h")
    assert "not before 'mg'" in raised.value.reason
    assert parse_dose("7 USP units/kg/h").warnings == ()


def test_a_glued_unit_is_warned_after_the_same_phrase_was_read_spaced() -> None:
    assert parse_dose("7 mcg/kg/min").warnings == ()
    glued = parse_dose("10mcg/kg/min")
    assert glued.value == 10
    assert glued.warnings == (
        "dose '10mcg/kg/min': write a space between number and unit (10 mcg, not 10mcg)",
    )


def test_a_leading_point_is_warned_each_time() -> None:
    first, second = parse_dose(".5 mg/h"), parse_dose(".5 mg/h")
    warning = "dose '.5 mg/h': '.5' read as 0.5; write a leading zero"
    assert first.warnings == second.warnings == (warning,)
    assert first.value == second.value == parse_dose("0.5 mg/h").value == 0.5


def test_an_error_prone_unit_is_warned_after_the_safe_spelling_was_read() -> None:
    parse_dose("4 units/h")
    assert parse_dose("4 U/h").warnings == (
        "dose '4 U/h': 'U' is error-prone; read as units, write units",
    )


def test_a_refused_first_character_is_refused_before_a_tail_read_before() -> None:
    tokens.tokenize("dose", "a 5 mg/h")  # remembers the tail " 5 mg/h"
    with pytest.raises(InputError) as raised:
        tokens.tokenize("dose", "* 5 mg/h")
    assert raised.value.reason == (
        "'*' is not accepted; write units as amount/kg/time, e.g. 7 mcg/kg/min"
    )


def test_messages_quote_the_input_after_its_tail_was_read_before() -> None:
    for amount in ("400", "500"):
        with pytest.raises(InputError) as raised:
            parse_concentration(f"{amount} mg/250 mL bleach")
        assert str(raised.value).startswith(
            f"concentration '{amount} mg/250 mL bleach': 'bleach' is not a known vehicle"
        )


def test_the_same_tail_after_other_numbers_gives_their_values() -> None:
    # 7/10 and 12 mcg/kg/min, and 154 lb at the exact pound (0.45359237 kg/lb)
    assert parse_dose("0.7 mcg/kg/min").value * 10 == 7
    assert parse_dose("12 mcg/kg/min").value == 12
    assert parse_weight("154 lb").kg == Fraction(154 * 45359237, 100000000)
    assert parse_weight("100 lb").kg == Fraction(100 * 45359237, 100000000)
