"""``python -m dynamolite.instructor release|collect|autograde|export|feedback``."""

import sys

from dynamolite.instructor.cli import main

sys.exit(main())
