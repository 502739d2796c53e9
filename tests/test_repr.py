"""The notebook views of a lazy Array: ``_repr_html_`` (chunk diagram and table) and
``visualize()`` (the task graph drawn as SVG in Rust). Neither may compute anything: the
scheduler's task counters (``_core.progress_counters``) must not move."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import oxarray as ox
from oxarray import _core

SVG = "{http://www.w3.org/2000/svg}"


class nothing_computes:
    """Fails if the scheduler started or finished a task inside the block."""

    def __enter__(self):
        self.before = _core.progress_counters()
        return self

    def __exit__(self, *exc):
        assert _core.progress_counters() == self.before, "a task ran"


def svgs_in(html: str) -> list[ET.Element]:
    out, start = [], 0
    while (i := html.find("<svg", start)) >= 0:
        j = html.index("</svg>", i) + len("</svg>")
        out.append(ET.fromstring(html[i:j]))
        start = j
    return out


@pytest.mark.parametrize(
    "shape, chunks, lines",
    [
        ((10,), 5, 1),
        ((6, 8), (3, 4), 2),
        ((4, 6, 8), (2, 3, 4), 6),  # each cut shows on two faces of the box
        ((2, 4, 6, 8), (1, 2, 3, 4), 6),  # the last three axes
    ],
)
def test_html_repr_table_and_diagram(shape, chunks, lines):
    x = ox.ones(shape, chunks=chunks, dtype="float32")
    with nothing_computes():
        html = x._repr_html_()
    assert "float32" in html and str(shape) in html
    chunk_shape = tuple(c[0] for c in x.chunks)
    assert str(chunk_shape) in html
    assert f"{x.npartitions} chunks" in html
    assert f"{_core.task_count([x._node])} tasks" in html
    (svg,) = svgs_in(html)
    assert len(svg.findall(f"{SVG}line")) == lines


def test_html_repr_of_0d_has_no_diagram():
    x = ox.asarray(np.float64(3.0))
    with nothing_computes():
        html = x._repr_html_()
    assert svgs_in(html) == [] and "float64" in html


def test_chunk_diagram_caps_grid_lines():
    x = ox.ones((10_000_000,), chunks=1_000)  # 10,000 chunks
    with nothing_computes():
        (svg,) = svgs_in(x._repr_html_())
    assert len(svg.findall(f"{SVG}line")) == ox._repr.MAX_GRID_LINES
    assert "10000 chunks" in x._repr_html_()


def test_html_repr_of_lazy_expression_counts_tasks_without_running():
    x = ox.random.default_rng(0).random((400, 300), chunks=(100, 100))
    y = (np.sin(x) + 1).mean(axis=0)
    with nothing_computes():
        html = y._repr_html_()
    assert "1.17 KiB" in html or "2.34 KiB" in html  # 300 float64 = 2400 bytes
    assert "(300,)" in html


def test_visualize_small_graph_draws_every_task():
    x = ox.ones((4, 4), chunks=2)
    y = (x + 1).sum()
    with nothing_computes():
        pic = y.visualize()
    root = ET.fromstring(pic.svg)
    boxes = root.findall(f"{SVG}g[@class='task']")
    assert len(boxes) == pic.boxes == pic.tasks == _core.task_count([y._node])
    assert not pic.summarized
    assert len(root.findall(f"{SVG}path[@class='edge']")) == pic.edges > 0
    assert pic._repr_svg_() == pic.svg and pic.svg in pic._repr_html_()
    kinds = {b.get("data-kind") for b in boxes}
    assert "reduce-chunk" in kinds


def test_visualize_raw_graph_has_more_tasks_and_kinds_are_coloured():
    x = ox.asarray(np.ones((4, 4)), chunks=2)
    y = (x + 1)[:2]
    with nothing_computes():
        opt = y.visualize()
        raw = y.visualize(optimize=False)
    assert raw.tasks > opt.tasks  # the optimizer culled the chunks nobody reads
    root = ET.fromstring(raw.svg)
    fills = {b.get("data-kind"): b.find(f"{SVG}rect").get("fill") for b in root.findall(f"{SVG}g[@class='task']")}
    assert len(set(fills.values())) == len(fills) > 1  # one colour per kind
    grey = ET.fromstring(y.visualize(optimize=False, color=None).svg)
    assert {r.get("fill") for r in grey.iter(f"{SVG}rect")} == {"#eeeeee"}


def test_visualize_summarizes_huge_graphs():
    x = ox.ones((10_000_000,), chunks=1_000)
    y = (x + 1).sum()
    with nothing_computes():
        pic = y.visualize(max_nodes=50)
    assert pic.summarized and pic.tasks > 10_000 and pic.boxes <= 50
    root = ET.fromstring(pic.svg)
    counts = [int(b.get("data-count")) for b in root.findall(f"{SVG}g[@class='task']")]
    assert sum(counts) == pic.tasks
    assert "×10000" in pic.svg


def test_visualize_writes_files(tmp_path):
    y = (ox.ones((4, 4), chunks=2) + 1).sum()
    with nothing_computes():
        pic = y.visualize(str(tmp_path / "g.svg"))
        dot = y.visualize(str(tmp_path / "g.dot"), optimize=False)
    ET.parse(tmp_path / "g.svg")
    assert pic.path == str(tmp_path / "g.svg") and str(pic) == pic.path
    assert (tmp_path / "g.dot").read_text().startswith("digraph oxarray")
    assert dot.tasks > 0


def test_visualize_bad_arguments():
    y = ox.ones(4)
    with pytest.raises(ValueError):
        y.visualize(format="gif")
    with pytest.raises(ValueError):
        y.visualize(color="rainbow")
    with pytest.raises(ValueError):
        y.visualize(max_nodes=0)


def test_visualize_png_needs_a_converter(tmp_path):
    y = ox.ones(4) + 1
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="vl-convert-python"):
            y.visualize(str(tmp_path / "g.png"))
        return
    pic = y.visualize(str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and pic._repr_png_()
