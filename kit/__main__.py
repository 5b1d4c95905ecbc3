"""``python -m kit``: the same as the ``kit`` command."""

from kit.cli import main

if __name__ == "__main__":
    main(prog_name="kit")
