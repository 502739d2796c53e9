"""What a notebook shows of a lazy Array: ``_repr_html_`` (a chunk diagram in SVG beside a table
of shape, dtype, chunk shape, bytes, tasks and chunks) and ``visualize()`` (the task graph, laid
out and drawn as SVG in Rust, no Graphviz). Both read metadata and the plan only: nothing is
computed."""

from __future__ import annotations

import html
import math
import os
from typing import Any

from . import _core

# At most this many grid lines per axis in the chunk diagram: 10,000 chunks draw as 40 lines
# (evenly spaced among the real boundaries), not as a black block of 10,000.
MAX_GRID_LINES = 40
# The longest side of the diagram, in pixels; the other sides keep their proportion (clamped).
DIAGRAM_SIZE = 120.0
MIN_SIDE = 14.0


def format_bytes(n: int) -> str:
    """``1.53 MiB``: binary units, as the plan's ``explain()`` prints them."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.2f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


# --- the chunk diagram ---------------------------------------------------------------------------
def _sides(shape: tuple[int, ...]) -> list[float]:
    """Pixel length of each drawn axis: proportional to its length (logarithmically compressed
    when the axes differ by more than 10x, so a (10**6, 3) array still shows both)."""
    longest = max(max(shape), 1)
    sides = []
    for n in shape:
        ratio = max(n, 1) / longest
        if ratio < 0.1:
            ratio = 0.1 * (1 + math.log10(ratio * 10) / 10)  # below 0.1: shrink slowly
        sides.append(max(DIAGRAM_SIZE * ratio, MIN_SIDE))
    return sides


def _boundaries(chunks: tuple[int, ...]) -> list[float]:
    """The inner chunk boundaries of one axis as fractions of its length (capped in number)."""
    total = sum(chunks)
    if total == 0 or len(chunks) <= 1:
        return []
    cuts, acc = [], 0
    for c in chunks[:-1]:
        acc += c
        cuts.append(acc / total)
    if len(cuts) > MAX_GRID_LINES:
        step = len(cuts) / MAX_GRID_LINES
        cuts = [cuts[int(i * step)] for i in range(MAX_GRID_LINES)]
    return cuts


def _line(x1: float, y1: float, x2: float, y2: float, width: float = 1.0) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#444" stroke-width="{width}"/>')


def _poly(points: list[tuple[float, float]]) -> str:
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polygon points="{pts}" fill="#ECB172" fill-opacity="0.8" stroke="#444" stroke-width="1.5"/>'


def _label(x: float, y: float, text: Any, rotate: float | None = None) -> str:
    transform = f' transform="rotate({rotate:.0f},{x:.1f},{y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="middle" '
            f'font-family="sans-serif"{transform}>{html.escape(str(text))}</text>')


def chunk_diagram(shape: tuple[int, ...], chunks: tuple[tuple[int, ...], ...]) -> str:
    """An SVG picture of the chunk grid of up to the last three axes ("" for a 0-d array)."""
    if not shape:
        return ""
    shape, chunks = shape[-3:], chunks[-3:]
    sides = _sides(shape)
    parts: list[str] = []
    pad = 24.0
    if len(shape) == 1:
        w, h = sides[0], 25.0
        x0, y0 = pad / 2, pad / 2
        parts.append(_poly([(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]))
        parts += [_line(x0 + f * w, y0, x0 + f * w, y0 + h) for f in _boundaries(chunks[0])]
        parts.append(_label(x0 + w / 2, y0 + h + 16, shape[0]))
        width, height = w + pad, h + pad + 16
    elif len(shape) == 2:
        h, w = sides
        x0, y0 = pad / 2, pad / 2
        parts.append(_poly([(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]))
        parts += [_line(x0, y0 + f * h, x0 + w, y0 + f * h) for f in _boundaries(chunks[0])]
        parts += [_line(x0 + f * w, y0, x0 + f * w, y0 + h) for f in _boundaries(chunks[1])]
        parts.append(_label(x0 + w / 2, y0 + h + 16, shape[1]))
        parts.append(_label(x0 + w + 14, y0 + h / 2, shape[0], rotate=-90))
        width, height = w + pad + 20, h + pad + 16
    else:
        d, h, w = sides
        dz = d * 0.6  # the depth axis (axis -3) drawn obliquely, up and to the right
        x0, y0 = pad / 2, pad / 2 + dz
        top = [(x0, y0), (x0 + dz, y0 - dz), (x0 + dz + w, y0 - dz), (x0 + w, y0)]
        right = [(x0 + w, y0), (x0 + w + dz, y0 - dz), (x0 + w + dz, y0 - dz + h), (x0 + w, y0 + h)]
        front = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]
        parts += [_poly(top), _poly(right), _poly(front)]
        for f in _boundaries(chunks[0]):  # depth cuts: on the top and right faces
            o = f * dz
            parts.append(_line(x0 + o, y0 - o, x0 + w + o, y0 - o))
            parts.append(_line(x0 + w + o, y0 - o, x0 + w + o, y0 + h - o))
        for f in _boundaries(chunks[1]):  # row cuts: front and right faces
            y = y0 + f * h
            parts.append(_line(x0, y, x0 + w, y))
            parts.append(_line(x0 + w, y, x0 + w + dz, y - dz))
        for f in _boundaries(chunks[2]):  # column cuts: front and top faces
            x = x0 + f * w
            parts.append(_line(x, y0, x, y0 + h))
            parts.append(_line(x, y0, x + dz, y0 - dz))
        parts.append(_label(x0 + w / 2, y0 + h + 16, shape[2]))
        parts.append(_label(x0 + w + dz + 14, y0 - dz + h / 2, shape[1], rotate=-90))
        parts.append(_label(x0 + dz / 2 - 10, y0 - dz / 2 - 4, shape[0], rotate=-45))
        width, height = w + dz + pad + 24, h + dz + pad + 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" class="oxarray-chunks">' + "".join(parts) + "</svg>")


# --- the HTML repr -------------------------------------------------------------------------------
def html_repr(x) -> str:
    """The notebook's view of ``x``: the table and the chunk diagram side by side."""
    shape, chunks, dtype = x.shape, x.chunks, x.dtype
    chunk_shape = tuple(max(c) if c else 0 for c in chunks)
    chunk_bytes = math.prod(chunk_shape) * dtype.itemsize
    n_chunks = math.prod(len(c) for c in chunks)
    try:
        tasks = str(_core.task_count([x._node]))
    except Exception as exc:  # a plan that cannot be made still gets a repr
        tasks = f"(no plan: {type(exc).__name__})"
    rows = [
        ("Bytes", format_bytes(x.nbytes), format_bytes(chunk_bytes)),
        ("Shape", str(shape), str(chunk_shape)),
        ("Dtype", str(dtype), str(dtype)),
        ("Chunks", f"{n_chunks} chunks in a {'×'.join(map(str, x.numblocks)) or '1'} grid", ""),
        ("Tasks", f"{tasks} tasks in the optimized plan", ""),
    ]
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(a)}</td>"
        f"<td>{html.escape(b)}</td></tr>"
        for k, a, b in rows
    )
    table = ("<table class='oxarray-table'><thead><tr><th></th><th>Array</th><th>Largest chunk</th>"
             f"</tr></thead><tbody>{cells}</tbody></table>")
    title = "<div><b>oxarray.Array</b> (lazy)</div>"
    diagram = chunk_diagram(shape, chunks)
    if len(shape) > 3:
        diagram += f"<div style='font-size:small'>last 3 of {len(shape)} axes</div>"
    return (f"<div class='oxarray-repr'>{title}<div style='display:flex;gap:2em;align-items:center'>"
            f"<div>{table}</div><div>{diagram}</div></div></div>")


# --- visualize -----------------------------------------------------------------------------------
class GraphPicture:
    """A drawn task graph: shown inline by Jupyter (``_repr_svg_``/``_repr_html_``), written to a
    file by ``visualize(filename)``. ``svg`` is the picture; ``tasks`` the tasks it stands for,
    ``boxes`` and ``edges`` what it draws, ``summarized`` whether tasks were grouped."""

    def __init__(self, svg: str, tasks: int, boxes: int, edges: int, summarized: bool,
                 path: str | None = None, png: bytes | None = None):
        self.svg = svg
        self.tasks = tasks
        self.boxes = boxes
        self.edges = edges
        self.summarized = summarized
        self.path = path
        self.png = png

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f"<div style='max-width:100%;overflow:auto'>{self.svg}</div>"

    def _repr_png_(self) -> bytes | None:
        return self.png

    def __fspath__(self) -> str:
        if self.path is None:
            raise TypeError("this picture was not written to a file (pass visualize(filename))")
        return self.path

    def __str__(self) -> str:
        return self.path if self.path is not None else repr(self)

    def __repr__(self) -> str:
        where = f", written to {self.path}" if self.path else ""
        how = "summarized as" if self.summarized else "drawn as"
        return f"<oxarray.GraphPicture: {self.tasks} tasks {how} {self.boxes} boxes{where}>"


def svg_to_png(svg: str) -> bytes:
    """PNG bytes of ``svg`` through ``vl-convert-python`` (a PyPI wheel that brings its own
    renderer, no system libraries). Raises ImportError saying so when it is not installed."""
    try:
        import vl_convert
    except ImportError:
        raise ImportError(
            "visualize(format='png') needs the 'vl-convert-python' package (pip install "
            "vl-convert-python; a wheel with its own SVG renderer, no system libraries); "
            "format='svg' needs nothing"
        ) from None
    return vl_convert.svg_to_png(svg, scale=1.0)


def visualize(nodes, filename: str | None = None, format: str | None = None, optimize: bool = True,
              color: str | None = "kind", max_nodes: int = 300) -> GraphPicture:
    """Draw the task graph of ``nodes``; see :meth:`oxarray.Array.visualize`."""
    if color not in ("kind", None):
        raise ValueError(f"color must be 'kind' or None, not {color!r}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
    fmt = (format or (os.path.splitext(filename)[1][1:] if filename else "") or "svg").lower()
    if fmt not in ("svg", "png", "dot"):
        raise ValueError(f"format must be 'svg', 'png' or 'dot', not {fmt!r}")
    svg, tasks, boxes, edges, summarized = _core.graph_svg(list(nodes), optimize, max_nodes, color == "kind")
    png = svg_to_png(svg) if fmt == "png" else None
    if filename is not None:
        if fmt == "dot":
            with open(filename, "w") as f:
                f.write(_core.graph_dot(list(nodes), optimize))
        elif fmt == "png":
            with open(filename, "wb") as f:
                f.write(png)
        else:
            with open(filename, "w") as f:
                f.write(svg)
    return GraphPicture(svg, tasks, boxes, edges, summarized, path=filename, png=png)
