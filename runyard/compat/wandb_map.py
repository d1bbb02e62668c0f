"""What the offline importer and the server's wandb protocol layer both need to map wandb's data.

Kept free of SDK and server imports so both sides can use it without depending on each other.
"""

from __future__ import annotations

import math
from typing import Any

# wandb keeps its own block in the run config under this key; runyard stores it unchanged.
RESERVED_CONFIG_KEY = "_wandb"


def same(a: Any, b: Any) -> bool:
    """Equal as wandb would show them (1 == 1.0, but True != 1; NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def cr_text(line: str) -> str:
    """What a terminal shows for a line redrawn with carriage returns: the text after the last one."""
    if "\r" not in line:
        return line
    parts = [p for p in line.split("\r") if p]
    return parts[-1] if parts else ""
