"""Errors that reach the user as one clear line instead of a traceback."""

import re

# Line breaks and other control characters (from a key, a value or a path the user wrote) are shown
# escaped, so that the message stays on one line whatever it quotes.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


class ScenarioError(ValueError):
    """A scenario file, override or sweep file is wrong; the message says where and why, on one line."""

    def __init__(self, message: object = "") -> None:
        text = str(message)
        super().__init__(_CONTROL.sub(lambda m: repr(m.group())[1:-1], text))
