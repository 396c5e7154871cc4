"""`python -m conformance`: the `dsconform` command line."""

import sys

from conformance.cli import main

sys.exit(main())
