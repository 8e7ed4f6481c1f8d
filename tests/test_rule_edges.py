"""Each dose rule at its edge, with hand-worked values: bounds, thresholds and factors.

These are fixed tests for rules that the mutation run (``tools/mutate.py``,
``tools/mutants.toml``) found tested only by a random (hypothesis) test, or not at all:
each one kills a named mutant deterministically.
"""

from __future__ import annotations
