"""Logging set-up for jobs and the command-line tool: the `splitscan` logger only, never the root logger."""

from __future__ import annotations

import logging
import sys

__all__ = ["configure_logging"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Attach one stderr handler to the `splitscan` logger (idempotent)."""
    logger = logging.getLogger("splitscan")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_splitscan", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._splitscan = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False
    # py4j logs every gateway call at INFO; it drowns the job's own messages.
    logging.getLogger("py4j").setLevel(logging.WARNING)
