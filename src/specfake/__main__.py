"""``python -m specfake`` is the ``specfake`` command."""

import sys

from specfake.cli import main

sys.exit(main())
