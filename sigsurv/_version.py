"""The package version: the single source read by pyproject.toml (hatch) and ``--version``.

Kept in its own dependency-free module so that reading it never imports the analysis code.

>>> from sigsurv._version import __version__
>>> __version__.count(".") >= 2
True
"""

__version__ = "0.1.0"
