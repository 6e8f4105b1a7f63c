"""Self-checks for the dropout chapter's exercises."""
from . import CheckError, exercise, expect, expect_close, expect_shape  # noqa: F401

__all__ = []
