"""`python -m conformance`: the `dsconform` command line."""

import sys

from conformance.console import main

sys.exit(main())
