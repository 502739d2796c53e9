"""Executors: who runs an optimized plan (issue 11).

``x.compute(executor=...)``, ``x.persist(executor=...)`` and ``ox.compute(*xs, executor=...)``
accept one. The plan is always made by the Rust engine (the same lowering, fusion and
optimizer passes); an executor only decides where its tasks run:

- :class:`LocalExecutor` (the default): the engine's own memory-bounded scheduler, all cores.
- :class:`DaskExecutor`: one Dask task per fused chunk program on a ``distributed.Client``.
- :class:`RayExecutor`: one Ray remote task per fused chunk program (public Ray Core).

An executor is any object with ``compute(nodes) -> list[np.ndarray]`` and
``persist(nodes) -> list[Array]``.
"""

from __future__ import annotations

from ._base import LocalExecutor, resolve
from ._dask import DaskExecutor, to_dask_array
from ._ray import RayExecutor

__all__ = ["DaskExecutor", "LocalExecutor", "RayExecutor", "resolve", "to_dask_array"]
