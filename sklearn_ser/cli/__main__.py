"""``python -m sklearn_ser.cli``: the ``sklearn-ser`` command."""

import sys

from sklearn_ser.cli import main

sys.exit(main())
