//! The task graph as an SVG picture, laid out here (no Graphviz): a layered drawing in the
//! manner of Sugiyama — each task on the layer of its longest path from a source, the order
//! within layers improved by barycentre sweeps, edges as curves from a task down to its readers.
//!
//! A graph larger than `max_nodes` is summarized: the tasks of one kind at one depth become one
//! box labelled with their count (`reduce-chunk ×10000`), and depths are merged in buckets until
//! the boxes fit. Edges between boxes carry the number of task edges they stand for.

use crate::dot::DrawnTask;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// One box of the picture: a task, or a group of tasks of one kind.
struct DrawNode {
    kind: &'static str,
    lines: [String; 2],
    count: usize,
    output: bool,
}

const NODE_H: f64 = 34.0;
const LAYER_GAP: f64 = 46.0;
const NODE_GAP: f64 = 16.0;
const MARGIN: f64 = 12.0;
const CHAR_W: f64 = 6.6;
const LEGEND_H: f64 = 26.0;

/// Fixed colours for the common kinds; other kinds take one of these by a hash of their name.
const PALETTE: [&str; 12] = [
    "#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99", "#8dd3c7", "#bebada",
    "#80b1d3", "#fccde5", "#d9d9d9", "#ccebc5",
];
const KNOWN: [&str; 10] = [
    "array",
    "fused",
    "reduce-chunk",
    "reduce-combine",
    "reduce-aggregate",
    "getitem",
    "matmul",
    "random",
    "full",
    "reshape",
];

fn colour(kind: &str) -> &'static str {
    if let Some(i) = KNOWN.iter().position(|k| *k == kind) {
        return PALETTE[i];
    }
    let h = kind.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    PALETTE[h as usize % PALETTE.len()]
}

/// What [`to_svg`] drew: the picture and how many boxes and edges it holds.
pub struct Picture {
    pub svg: String,
    pub tasks: usize,
    pub boxes: usize,
    pub edges: usize,
    pub summarized: bool,
}

/// Draws `tasks` (from [`crate::dot::drawn_tasks`]); `color` fills boxes by task kind.
pub fn to_svg(tasks: &[DrawnTask], max_nodes: usize, color: bool) -> Picture {
    let depth = depths(tasks);
    let (nodes, edges, summarized) = if tasks.len() <= max_nodes.max(1) {
        let nodes = tasks
            .iter()
            .map(|t| DrawNode {
                kind: t.kind,
                lines: [t.kind.to_string(), t.detail.clone()],
                count: 1,
                output: t.output,
            })
            .collect();
        let mut edges: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for (id, t) in tasks.iter().enumerate() {
            for &d in &t.deps {
                *edges.entry((d, id)).or_default() += 1;
            }
        }
        (nodes, edges, false)
    } else {
        let (n, e) = summarize(tasks, &depth, max_nodes.max(1));
        (n, e, true)
    };
    let edge_list: Vec<(usize, usize, usize)> =
        edges.iter().map(|(&(a, b), &c)| (a, b, c)).collect();
    let svg = render(&nodes, &edge_list, color, tasks.len(), summarized);
    Picture {
        svg,
        tasks: tasks.len(),
        boxes: nodes.len(),
        edges: edge_list.len(),
        summarized,
    }
}

/// The longest path from a source to each task (Kahn's order, so no recursion on deep graphs).
fn depths(tasks: &[DrawnTask]) -> Vec<usize> {
    longest_paths(tasks.len(), |i| tasks[i].deps.as_slice())
}

fn longest_paths<'a>(n: usize, deps: impl Fn(usize) -> &'a [usize]) -> Vec<usize> {
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = vec![0; n];
    for (id, w) in waiting.iter_mut().enumerate() {
        for &d in deps(id) {
            if d < n {
                readers[d].push(id);
                *w += 1;
            }
        }
    }
    let mut depth = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(v) = queue.pop() {
        for &r in &readers[v] {
            depth[r] = depth[r].max(depth[v] + 1);
            waiting[r] -= 1;
            if waiting[r] == 0 {
                queue.push(r);
            }
        }
    }
    depth
}

type Edges = BTreeMap<(usize, usize), usize>;

/// Groups the tasks of one kind within one bucket of depths; buckets widen until the groups fit.
fn summarize(tasks: &[DrawnTask], depth: &[usize], max_nodes: usize) -> (Vec<DrawNode>, Edges) {
    let mut bucket = 1usize;
    loop {
        let mut index: HashMap<(usize, &'static str), usize> = HashMap::new();
        let mut group_of = Vec::with_capacity(tasks.len());
        let mut nodes: Vec<DrawNode> = Vec::new();
        let mut details: Vec<Option<String>> = Vec::new();
        for (t, &d) in tasks.iter().zip(depth) {
            let key = (d / bucket, t.kind);
            let g = *index.entry(key).or_insert_with(|| {
                nodes.push(DrawNode {
                    kind: t.kind,
                    lines: [String::new(), String::new()],
                    count: 0,
                    output: false,
                });
                details.push(Some(t.detail.clone()));
                nodes.len() - 1
            });
            nodes[g].count += 1;
            nodes[g].output |= t.output;
            if details[g].as_deref() != Some(t.detail.as_str()) {
                details[g] = None;
            }
            group_of.push(g);
        }
        if nodes.len() > max_nodes && bucket < tasks.len() {
            bucket *= 2;
            continue;
        }
        for (node, detail) in nodes.iter_mut().zip(details) {
            node.lines = [
                format!("{} \u{00d7}{}", node.kind, node.count),
                detail.unwrap_or_else(|| "blocks of several shapes".into()),
            ];
        }
        let mut edges = Edges::new();
        for (id, t) in tasks.iter().enumerate() {
            for &d in &t.deps {
                let (a, b) = (group_of[d], group_of[id]);
                if a != b {
                    *edges.entry((a, b)).or_default() += 1;
                }
            }
        }
        return (nodes, edges);
    }
}

/// Layers, order within layers, coordinates, then the SVG text.
fn render(
    nodes: &[DrawNode],
    edges: &[(usize, usize, usize)],
    color: bool,
    n_tasks: usize,
    summarized: bool,
) -> String {
    let n = nodes.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b, _) in edges {
        preds[b].push(a);
        succs[a].push(b);
    }
    let layer = longest_paths(n, |i| preds[i].as_slice());
    let n_layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for (i, &l) in layer.iter().enumerate() {
        layers[l].push(i);
    }
    // Barycentre sweeps: down (by the inputs' positions), then up (by the readers').
    let mut pos = vec![0.0f64; n];
    let set_pos = |layers: &[Vec<usize>], pos: &mut [f64]| {
        for l in layers {
            for (k, &v) in l.iter().enumerate() {
                pos[v] = k as f64;
            }
        }
    };
    set_pos(&layers, &mut pos);
    for sweep in 0..8 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..n_layers).collect()
        } else {
            (0..n_layers.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let keys: Vec<f64> = layers[l]
                .iter()
                .map(|&v| {
                    let nb = if down { &preds[v] } else { &succs[v] };
                    if nb.is_empty() {
                        pos[v]
                    } else {
                        nb.iter().map(|&u| pos[u]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            let mut idx: Vec<usize> = (0..layers[l].len()).collect();
            idx.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
            layers[l] = idx.iter().map(|&i| layers[l][i]).collect();
            for (k, &v) in layers[l].iter().enumerate() {
                pos[v] = k as f64;
            }
        }
    }
    // Coordinates: each layer packed left to right and centred on the widest.
    let width_of = |v: usize| {
        let chars = nodes[v]
            .lines
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(1);
        chars as f64 * CHAR_W + 16.0
    };
    let layer_w: Vec<f64> = layers
        .iter()
        .map(|l| l.iter().map(|&v| width_of(v) + NODE_GAP).sum::<f64>() - NODE_GAP)
        .collect();
    let kinds: Vec<&'static str> = {
        let mut k: Vec<&'static str> = nodes.iter().map(|v| v.kind).collect();
        k.sort_unstable();
        k.dedup();
        k
    };
    let legend_w: f64 = kinds
        .iter()
        .map(|k| k.len() as f64 * CHAR_W + 30.0)
        .sum::<f64>();
    let caption = if summarized {
        format!("{n_tasks} tasks, summarized as {n} groups (tasks of one kind at one depth)")
    } else {
        format!("{n_tasks} tasks")
    };
    let total_w = layer_w
        .iter()
        .copied()
        .fold(legend_w.max(caption.len() as f64 * CHAR_W), f64::max)
        + 2.0 * MARGIN;
    let top = MARGIN + 2.0 * LEGEND_H;
    let mut xy = vec![(0.0f64, 0.0f64, 0.0f64); n]; // left, top, width
    for (l, members) in layers.iter().enumerate() {
        let mut x = (total_w - layer_w[l]) / 2.0;
        let y = top + l as f64 * (NODE_H + LAYER_GAP);
        for &v in members {
            let w = width_of(v);
            xy[v] = (x, y, w);
            x += w + NODE_GAP;
        }
    }
    let total_h = top + n_layers as f64 * (NODE_H + LAYER_GAP) - LAYER_GAP + MARGIN;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_w:.0}\" height=\"{total_h:.0}\" \
         viewBox=\"0 0 {total_w:.0} {total_h:.0}\" font-family=\"monospace\" font-size=\"11\">"
    );
    s.push_str(
        "<defs><marker id=\"oxarrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" \
         fill=\"#555\"/></marker></defs>\n",
    );
    let _ = writeln!(
        s,
        "<text x=\"{MARGIN}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
        MARGIN + 11.0,
        escape(&caption)
    );
    // Legend: one swatch per kind.
    let mut lx = MARGIN;
    let ly = MARGIN + LEGEND_H;
    for k in &kinds {
        let fill = if color { colour(k) } else { "#eeeeee" };
        let _ = writeln!(
            s,
            "<g class=\"legend\"><rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" \
             fill=\"{fill}\" stroke=\"#555\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            ly - 2.0,
            lx + 18.0,
            ly + 9.0,
            escape(k)
        );
        lx += k.len() as f64 * CHAR_W + 30.0;
    }
    for &(a, b, count) in edges {
        let (ax, ay, aw) = xy[a];
        let (bx, by, bw) = xy[b];
        let (x1, y1) = (ax + aw / 2.0, ay + NODE_H);
        let (x2, y2) = (bx + bw / 2.0, by);
        let dy = (y2 - y1) / 2.0;
        let width = 1.0 + (count as f64).log10().min(3.0);
        let _ = writeln!(
            s,
            "<path class=\"edge\" d=\"M{x1:.1},{y1:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{y2:.1}\" \
             fill=\"none\" stroke=\"#777\" stroke-width=\"{width:.1}\" marker-end=\"url(#oxarrow)\">\
             <title>{count} edge(s)</title></path>",
            y1 + dy,
            y2 - dy
        );
    }
    for (v, node) in nodes.iter().enumerate() {
        let (x, y, w) = xy[v];
        let fill = if color { colour(node.kind) } else { "#eeeeee" };
        let stroke = if node.output { "2.5" } else { "1" };
        let _ = writeln!(
            s,
            "<g class=\"task\" data-kind=\"{}\" data-count=\"{}\"><title>{} ({} task(s))</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{NODE_H}\" rx=\"5\" \
             fill=\"{fill}\" stroke=\"#333\" stroke-width=\"{stroke}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text></g>",
            escape(node.kind),
            node.count,
            escape(node.kind),
            node.count,
            x + w / 2.0,
            y + 14.0,
            escape(&node.lines[0]),
            x + w / 2.0,
            y + 28.0,
            escape(&node.lines[1])
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The task graph as lowered, before fusion and culling (`visualize(optimize=False)`), and the
/// tasks of the nodes' blocks. Nothing runs.
pub fn raw_graph(
    nodes: &[crate::NodeRef],
) -> oxarray_core::OxResult<(crate::task::TaskGraph, Vec<crate::task::TaskId>)> {
    let mut lowering = crate::lower::Lowering::new();
    let per_node = lowering.lower_all(nodes)?;
    Ok((lowering.graph, per_node.concat()))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(kind: &'static str, deps: Vec<usize>) -> DrawnTask {
        DrawnTask {
            kind,
            detail: "(2) float64".into(),
            deps,
            output: false,
        }
    }

    #[test]
    fn small_graph_draws_every_task() {
        let tasks = vec![
            task("array", vec![]),
            task("array", vec![]),
            task("fused", vec![0, 1]),
        ];
        let p = to_svg(&tasks, 100, true);
        assert_eq!((p.boxes, p.edges, p.summarized), (3, 2, false));
        assert_eq!(p.svg.matches("class=\"task\"").count(), 3);
    }

    #[test]
    fn large_graph_is_summarized_by_kind_and_depth() {
        let mut tasks: Vec<DrawnTask> = (0..1000).map(|_| task("array", vec![])).collect();
        for i in 0..1000 {
            tasks.push(task("reduce-chunk", vec![i]));
        }
        tasks.push(task("reduce-aggregate", (1000..2000).collect()));
        let p = to_svg(&tasks, 50, true);
        assert!(p.summarized);
        assert_eq!((p.boxes, p.edges), (3, 2));
        assert!(p.svg.contains("reduce-chunk \u{00d7}1000"));
    }

    #[test]
    fn deep_chain_merges_depths_until_it_fits() {
        let mut tasks = vec![task("array", vec![])];
        for i in 0..500 {
            tasks.push(task("fused", vec![i]));
        }
        let p = to_svg(&tasks, 20, false);
        assert!(p.summarized && p.boxes <= 20);
    }
}
