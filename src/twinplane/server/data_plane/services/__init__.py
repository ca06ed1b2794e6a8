"""Data-plane services: the behaviour behind each endpoint, with no HTTP types.

* ``row_check``: limits on rows (size, JSON depth, NUL in keys) before anything is written;
* ``objects``: which object a row or request names, and whether the caller may see it;
* ``ingest``: ``/logs3`` and ``/insert`` batches into ``Store.write_rows``;
* ``catalog``: projects, experiments and datasets (names at the control plane, the rest here);
* ``summary`` / ``compare``: experiment summaries and comparisons;
* ``prompts``: prompt versions as rows of ``project_prompts``.
"""
