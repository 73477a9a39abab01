"""Makes the shared helpers importable (pytest runs with --import-mode=importlib) and exposes the fixtures."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from projects_support import clock, svc  # noqa: E402,F401
