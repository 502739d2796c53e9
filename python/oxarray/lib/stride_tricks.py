"""``oxarray.lib.stride_tricks``: NumPy's ``sliding_window_view`` on lazy arrays (see
``oxarray._shaping``)."""

from .._shaping import sliding_window_view

__all__ = ["sliding_window_view"]
