"""One module per job, composing the stages: `run(spark, config, ...)`."""

from __future__ import annotations

__all__: list[str] = []
