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
