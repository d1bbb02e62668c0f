# the compiled half of runyard/store/kernels.py (_kernels.c)
from collections.abc import Sequence

from typing_extensions import Buffer

def gather(sources: Sequence[tuple[Buffer, bool, int, int]], out: Buffer, block: int, /) -> int: ...
def segments(
    v: Buffer,
    starts: Buffer,
    ends: Buffer,
    lower: Buffer,
    upper: Buffer,
    total: Buffer,
    count: Buffer,
    last: Buffer,
    /,
) -> bool: ...
