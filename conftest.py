"""Root pytest configuration: modules that must not be imported by doctest collection."""

collect_ignore = ["dpia_lib/cli/__main__.py", "benchmarks", "reports", "build"]
