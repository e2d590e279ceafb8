"""Rendering only: turn results computed by the layers below into files and terminal output.

* :mod:`sigsurv.report.describe`: what ``sigsurv cohort info`` shows about a cohort;
* :mod:`sigsurv.report.terminal`: rich tables and progress bars of the CLI;
* :mod:`sigsurv.report.outputs`: figures, ``results.json``, ``scores.tsv`` of an analysis;
* :mod:`sigsurv.report.html`: the self-contained HTML report of ``sigsurv reproduce``;
* :mod:`sigsurv.report.manifest`: ``run.json`` (versions, inputs' SHA-256, options, seed).

No statistic is implemented here: numbers come from the result objects given, or from
the one implementation in the layers below (e.g. the median follow-up of a cohort).
"""
