"""``python -m dpia_lib.cli``."""

from dpia_lib.cli import run

run()
