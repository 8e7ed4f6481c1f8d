"""The bounded memory the readers and writers keep their pure results in."""

from infuse_calc.memo import Memo


def test_a_memo_keeps_up_to_its_limit_then_forgets_everything() -> None:
    memo: Memo[str, int] = Memo(3)
    assert [memo.keep(key, n) for n, key in enumerate("abc")] == [0, 1, 2]
    assert memo == {"a": 0, "b": 1, "c": 2}
    # full: the fourth is kept alone, the three before it are forgotten
    assert memo.keep("d", 3) == 3
    assert memo == {"d": 3}
    assert memo.get("a") is None


def test_keeping_a_key_again_replaces_its_value() -> None:
    memo: Memo[str, int] = Memo(2)
    memo.keep("a", 1)
    memo.keep("a", 2)
    assert memo == {"a": 2}


def test_a_reading_is_kept_only_if_it_raised_no_warning() -> None:
    memo: Memo[str, int] = Memo(4)
    warnings = ["an earlier input's warning"]  # what was said before does not count
    assert memo.keep_unwarned("5", warnings, lambda: 5) == 5
    assert memo == {"5": 5}

    def warned() -> int:
        warnings.append("'.5': write 0.5")
        return 1

    assert memo.keep_unwarned(".5", warnings, warned) == 1  # given back, not kept
    assert memo == {"5": 5}
    assert len(warnings) == 2
