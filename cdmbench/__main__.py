import sys

from cdmbench.cli import main

sys.exit(main())
