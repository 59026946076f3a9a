"""Benchmarks of dpia-workbook: register load/validate/screen/check at scale, the batch engines, and the
incremental re-check after an edit. Run everything with ``python -m benchmarks`` (see README.md).

Figures are measured side by side in one run and printed with their ratios; the tests never time anything.
"""
