"""``python -m infuse_calc`` runs the same CLI as the ``infuse-calc`` script."""

from infuse_calc.cli import main

if __name__ == "__main__":
    main(prog_name="infuse-calc")
