"""The one rule for names that become folder names: a scenario's ``name``, a sweep's ``name``, a results folder.

Kept in the scenario package, the lowest layer that needs it, so the scenario schema (which
checks the name when the file is read), the sweep reader and the results
writer refuse exactly the same names with the same words.
"""

from __future__ import annotations

import re
from typing import TypeGuard

# A name becomes one path component (and a part of longer ones such as "<time>-<a>-vs-<b>-s1"); 100 characters
# leave room below the 255 bytes a file system allows for a component.
MAX_NAME_LENGTH = 100
# Letters, digits, '_', '-' and '.', not starting with '.': never '.', '..', a hidden name that could pass for a
# temporary folder, a path separator or a control character. No look-ahead, so pydantic's Rust regex engine, Python
# and the JSON Schema validators of editors all read the pattern alike.
NAME_PATTERN = rf"^[A-Za-z0-9_-][A-Za-z0-9_.-]{{0,{MAX_NAME_LENGTH - 1}}}$"
NAME_ALLOWED = (f"allowed: 1 to {MAX_NAME_LENGTH} letters, digits, '_', '-' or '.', not starting with '.' "
                "(a name becomes a folder name)")
_NAME = re.compile(NAME_PATTERN)


def is_safe_name(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a name that can become a folder name (see :data:`NAME_PATTERN`)."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None
