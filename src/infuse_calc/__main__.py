"""``python -m infuse_calc`` and the ``infuse-calc`` script: the command line, started cheaply."""

import gc


def main() -> None:
    """Console-script entry point: :func:`infuse_calc.cli.main`, imported with the cyclic
    garbage collector off.

    Importing the command line (click, the group) makes only objects that live until the
    process exits: the collector would walk them over and over for nothing (about 3% of a
    warm ``convert``). :func:`infuse_calc.cli.main` then freezes them out of its way."""
    gc.disable()
    try:
        from infuse_calc.cli import main as run
    finally:
        gc.enable()
    run(prog_name="infuse-calc")


if __name__ == "__main__":
    main()
