"""``oxarray.lib``: the NumPy ``numpy.lib`` submodules that libraries reach through the array's
namespace (xarray's ``rolling`` calls ``xp.lib.stride_tricks.sliding_window_view``)."""

from . import stride_tricks

__all__ = ["stride_tricks"]
