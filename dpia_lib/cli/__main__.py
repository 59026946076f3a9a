"""``python -m dpia_lib.cli``."""

import sys

from dpia_lib.cli import main

sys.exit(main())
