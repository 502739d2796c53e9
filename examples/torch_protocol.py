"""NumPy's functions on plain torch tensors, through the protocol toolkit (``oxarray.protocol``).

``np.sum(t)``, ``np.mean(t, axis=0)``, ``np.concatenate([t, t])`` and ufuncs such as
``np.sin(t)`` run in torch and return ``torch.Tensor`` — no copy to NumPy, and the tensor keeps
its device and autograd history. ``torch.Tensor`` answers NumPy's protocols by converting itself
to an ndarray; ``torch_registry.install(torch.Tensor)`` gives the class NEP 18 and NEP 13 instead,
and one ``Registry`` maps each NumPy function to its torch counterpart, translating NumPy's
keywords (``axis=``, ``keepdims=``) to torch's (``dim=``, ``keepdim=``).
``torch_registry.uninstall(torch.Tensor)`` puts torch's own behaviour back.

Run: ``python examples/torch_protocol.py`` (needs ``pip install torch``).
"""

from __future__ import annotations

import numpy as np

from oxarray.protocol import Registry

torch_registry = Registry("torch_protocol")


def _t(a):
    """A tensor as it is; other inputs (NumPy arrays, scalars) become tensors."""
    import torch

    return a if isinstance(a, torch.Tensor) else torch.as_tensor(a)


def _dims(axis):
    return axis if axis is None or isinstance(axis, int) else tuple(axis)


@torch_registry.implements(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False):
    if out is not None:
        raise TypeError("out= is not supported on tensors")
    t = _t(a)
    return t.sum(dtype=dtype) if axis is None else t.sum(dim=_dims(axis), keepdim=keepdims, dtype=dtype)


@torch_registry.implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False):
    if out is not None:
        raise TypeError("out= is not supported on tensors")
    t = _t(a)
    if not (t.is_floating_point() or t.is_complex()) and dtype is None:
        t = t.double()  # NumPy's mean of integers is float64
    return t.mean(dtype=dtype) if axis is None else t.mean(dim=_dims(axis), keepdim=keepdims, dtype=dtype)


@torch_registry.implements(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    import torch

    if out is not None:
        raise TypeError("out= is not supported on tensors")
    ts = [_t(a) for a in arrays]
    if axis is None:
        ts, axis = [t.reshape(-1) for t in ts], 0
    r = torch.cat(ts, dim=axis)
    return r if dtype is None else r.to(dtype)


def _ufunc(torch_name: str):
    def call(*inputs, **kwargs):
        import torch

        if kwargs.get("out") is not None or kwargs.get("where", True) is not True:
            raise TypeError("out= and where= are not supported on tensors")
        return getattr(torch, torch_name)(*(_t(a) for a in inputs))

    return call


for _np_ufunc, _name in [(np.sin, "sin"), (np.cos, "cos"), (np.exp, "exp"), (np.sqrt, "sqrt"),
                         (np.add, "add"), (np.subtract, "sub"), (np.multiply, "mul")]:
    torch_registry.implements(_np_ufunc)(_ufunc(_name))


def main() -> None:
    import torch

    torch_registry.install(torch.Tensor)
    t = torch.arange(6.0).reshape(2, 3)
    for label, r in [
        ("np.sum(t)", np.sum(t)),
        ("np.mean(t, axis=0)", np.mean(t, axis=0)),
        ("np.concatenate([t, t])", np.concatenate([t, t])),
        ("np.sin(t)", np.sin(t)),
    ]:
        assert isinstance(r, torch.Tensor), type(r)
        print(f"{label:<24} -> {type(r).__module__}.{type(r).__name__} {tuple(r.shape)}")
    print(f"{len(torch_registry)} NumPy functions dispatch to torch: {torch_registry!r}")


if __name__ == "__main__":
    main()
