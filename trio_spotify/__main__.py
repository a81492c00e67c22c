"""`python -m trio_spotify`: the same as the `trio-spotify` command."""

import sys

from ._cli import main

sys.exit(main())
