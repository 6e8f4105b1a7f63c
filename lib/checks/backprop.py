"""Self-checks for the backprop chapter's exercises."""
from . import CheckError, exercise, expect, expect_close, expect_shape  # noqa: F401

__all__ = []
