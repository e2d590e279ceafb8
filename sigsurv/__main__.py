"""``python -m sigsurv``: the same entry point as the ``sigsurv`` console script."""

from sigsurv.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
