"""Where the browser tests put their screenshots: var/screenshots, so a test run leaves the tree clean.

The README's pictures are refreshed on purpose, not by every run:
    DAYI_SCREENSHOTS=docs/screenshots python3 dev.py test -m browser
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / os.environ.get("DAYI_SCREENSHOTS", "var/screenshots")
