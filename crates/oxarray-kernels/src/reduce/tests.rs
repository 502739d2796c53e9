//! Every op against values computed with NumPy 2.x, and chunk invariance: splitting the input
//! along the reduced axes and running partial -> combine -> finalize must match one chunk.

use super::*;
use ndarray::{ArrayD, Axis, IxDyn, Slice};
use oxarray_core::{Element, C64};
use ReduceOp::*;

fn arr<T: Element>(shape: &[usize], v: Vec<T>) -> Chunk
where
    Chunk: oxarray_core::chunk::Typed<T, Container = ArrayD<T>>,
{
    Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).expect("test shape"))
}

fn f64s(c: &Chunk) -> Vec<f64> {
    c.as_array::<f64>()
        .expect("float64 result")
        .iter()
        .copied()
        .collect()
}

/// One chunk: partial -> finalize (no combine), like a single-block array.
fn run(op: ReduceOp, x: &Chunk, axes: &[usize], keepdims: bool, dtype: Option<DType>) -> Chunk {
    let out = reduce_output_dtype(op, x.dtype(), dtype).expect("dtype");
    let zeros = vec![0; x.shape().len()];
    let place = ChunkPlace {
        offset: &zeros,
        full_shape: x.shape(),
    };
    let p = partial(op, x, axes, out, &place).expect("partial");
    let r = finalize(op, p, axes, keepdims, out).expect("finalize");
    assert_eq!(r.dtype(), out);
    r
}

/// Splits `x` along `split_axis` (a reduced axis) at `cuts`, reduces each piece, combines, finalizes.
fn run_split(op: ReduceOp, x: &Chunk, axes: &[usize], split_axis: usize, sizes: &[usize]) -> Chunk {
    let out = reduce_output_dtype(op, x.dtype(), None).expect("dtype");
    let shape = x.shape().to_vec();
    let mut layout = vec![1; shape.len()];
    layout[split_axis] = sizes.len();
    let mut partials = Vec::new();
    let mut start = 0;
    for &n in sizes {
        let piece = dispatch_typed!(Chunk, x, a => Chunk::from_array(
            a.slice_axis(Axis(split_axis), Slice::from(start..start + n)).to_owned()));
        let mut offset = vec![0; shape.len()];
        offset[split_axis] = start;
        let place = ChunkPlace {
            offset: &offset,
            full_shape: &shape,
        };
        partials.push(partial(op, &piece, axes, out, &place).expect("partial"));
        start += n;
    }
    assert_eq!(start, shape[split_axis]);
    let refs: Vec<&Partial> = partials.iter().collect();
    let c = combine(op, &refs, &layout, axes, out).expect("combine");
    finalize(op, c, axes, false, out).expect("finalize")
}

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        let ok = (x.is_nan() && y.is_nan())
            || x == y
            || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0);
        assert!(ok, "{a:?} vs {b:?}");
    }
}

#[test]
fn output_dtypes_follow_numpy() {
    let d = |op, x, dt| reduce_output_dtype(op, x, dt).expect("dtype");
    assert_eq!(d(Sum, DType::Bool, None), DType::Int64);
    assert_eq!(d(Sum, DType::Int8, None), DType::Int64);
    assert_eq!(d(Prod, DType::UInt16, None), DType::UInt64);
    assert_eq!(d(Sum, DType::Float32, None), DType::Float32);
    assert_eq!(d(Sum, DType::Int8, Some(DType::Int8)), DType::Int8);
    assert_eq!(d(Mean, DType::Int32, None), DType::Float64);
    assert_eq!(d(Mean, DType::Complex64, None), DType::Complex64);
    assert_eq!(d(Var { ddof: 0 }, DType::Complex64, None), DType::Float32);
    assert_eq!(d(Std { ddof: 0 }, DType::Complex128, None), DType::Float64);
    assert_eq!(d(Var { ddof: 0 }, DType::UInt8, None), DType::Float64);
    assert_eq!(
        d(Var { ddof: 0 }, DType::Float64, Some(DType::Complex64)),
        DType::Complex64
    );
    assert_eq!(d(Min, DType::UInt8, None), DType::UInt8);
    assert_eq!(d(Any, DType::Float32, None), DType::Bool);
    assert_eq!(d(ArgMax, DType::Complex64, None), DType::Int64);
    assert!(reduce_output_dtype(Var { ddof: 0 }, DType::Bool, Some(DType::Bool)).is_err());
    assert!(reduce_output_dtype(Min, DType::Int8, Some(DType::Int64)).is_err());
}

#[test]
fn sum_and_prod() {
    let x = arr(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(f64s(&run(Sum, &x, &[0], false, None)), vec![5.0, 7.0, 9.0]);
    assert_eq!(f64s(&run(Sum, &x, &[1], false, None)), vec![6.0, 15.0]);
    let all = run(Sum, &x, &[0, 1], false, None);
    assert_eq!(all.shape(), &[] as &[usize]);
    assert_eq!(f64s(&all), vec![21.0]);
    assert_eq!(run(Sum, &x, &[1], true, None).shape(), &[2, 1]);
    assert_eq!(f64s(&run(Prod, &x, &[0, 1], false, None)), vec![720.0]);
    assert_eq!(f64s(&run(Sum, &x, &[], false, None)), f64s(&x));
    // int8 widens to int64; with dtype=int8 it wraps: np.sum([100, 100], dtype=int8) == -56.
    let i = arr(&[3], vec![100i8, 100, 100]);
    assert_eq!(run(Sum, &i, &[0], false, None), arr(&[], vec![300i64]));
    assert_eq!(
        run(Sum, &i, &[0], false, Some(DType::Int8)),
        arr(&[], vec![44i8])
    );
    assert_eq!(
        run(
            Sum,
            &arr(&[2], vec![100i8, 100]),
            &[0],
            false,
            Some(DType::Int8)
        ),
        arr(&[], vec![-56i8])
    );
    assert_eq!(
        run(Sum, &arr(&[2], vec![i64::MAX, 1]), &[0], false, None),
        arr(&[], vec![i64::MIN])
    );
    assert_eq!(
        run(Sum, &arr(&[2], vec![255u8, 255]), &[0], false, None),
        arr(&[], vec![510u64])
    );
    assert_eq!(
        run(Sum, &arr(&[3], vec![true, true, false]), &[0], false, None),
        arr(&[], vec![2i64])
    );
    // np.prod(int32 [65536, 65536], dtype=int32) == 0 (wraps); default int64 does not.
    let p = arr(&[2], vec![65536i32, 65536]);
    assert_eq!(
        run(Prod, &p, &[0], false, Some(DType::Int32)),
        arr(&[], vec![0i32])
    );
    assert_eq!(run(Prod, &p, &[0], false, None), arr(&[], vec![1i64 << 32]));
    // np.prod([1+2j, 3-1j]) == 5+5j; np.sum([1.5, -2.7, 3.9], dtype=int32) == 2 (cast first).
    let c = arr(&[2], vec![C64::new(1.0, 2.0), C64::new(3.0, -1.0)]);
    assert_eq!(
        run(Prod, &c, &[0], false, None),
        arr(&[], vec![C64::new(5.0, 5.0)])
    );
    let f = arr(&[3], vec![1.5, -2.7, 3.9]);
    assert_eq!(
        run(Sum, &f, &[0], false, Some(DType::Int32)),
        arr(&[], vec![2i32])
    );
    // Empty: sum 0, prod 1.
    let e = arr::<f64>(&[0, 2], vec![]);
    assert_eq!(f64s(&run(Sum, &e, &[0], false, None)), vec![0.0, 0.0]);
    assert_eq!(f64s(&run(Prod, &e, &[0], false, None)), vec![1.0, 1.0]);
    assert_eq!(run(Sum, &e, &[1], false, None).shape(), &[0]);
}

#[test]
fn float32_sum_is_accurate() {
    // NumPy's pairwise float32 sum gives 100000.01; the exact sum of float32(0.1) is 100000.0015.
    let x = arr(&[1_000_000], vec![0.1f32; 1_000_000]);
    let s = run(Sum, &x, &[0], false, None);
    let v = s
        .as_array::<f32>()
        .expect("f32")
        .iter()
        .copied()
        .next()
        .expect("scalar");
    assert!((v as f64 - 0.1f32 as f64 * 1e6).abs() < 0.01, "{v}");
}

#[test]
fn min_max_propagate_nan_and_order_complex() {
    let x = arr(&[2, 3], vec![1.0, f64::NAN, 0.0, 3.0, -1.0, 2.0]);
    close(&f64s(&run(Min, &x, &[1], false, None)), &[f64::NAN, -1.0]);
    close(
        &f64s(&run(Max, &x, &[0], false, None)),
        &[3.0, f64::NAN, 2.0],
    );
    close(&f64s(&run(Max, &x, &[0, 1], false, None)), &[f64::NAN]);
    assert_eq!(
        run(Min, &arr(&[3], vec![5i16, -7, 2]), &[0], false, None),
        arr(&[], vec![-7i16])
    );
    assert_eq!(
        run(Max, &arr(&[2], vec![false, true]), &[0], false, None),
        arr(&[], vec![true])
    );
    // np.min([1+2j, 1+1j]) == 1+1j; np.max([1+2j, 2+0j, 2-1j]) == 2+0j.
    let c = arr(&[2], vec![C64::new(1.0, 2.0), C64::new(1.0, 1.0)]);
    assert_eq!(
        run(Min, &c, &[0], false, None),
        arr(&[], vec![C64::new(1.0, 1.0)])
    );
    let c = arr(
        &[3],
        vec![C64::new(1.0, 2.0), C64::new(2.0, 0.0), C64::new(2.0, -1.0)],
    );
    assert_eq!(
        run(Max, &c, &[0], false, None),
        arr(&[], vec![C64::new(2.0, 0.0)])
    );
    let c = arr(&[2], vec![C64::new(1.0, 2.0), C64::new(0.0, f64::NAN)]);
    let m = run(Min, &c, &[0], false, None);
    assert!(m
        .as_array::<C64>()
        .expect("c128")
        .iter()
        .all(|v| v.im.is_nan()));
    // Empty chunk: the identity, no panic (the caller raises NumPy's error before this).
    let e = run(Min, &arr::<i32>(&[0], vec![]), &[0], false, None);
    assert_eq!(e, arr(&[], vec![i32::MAX]));
}

#[test]
fn argmin_argmax() {
    let x = arr(&[5], vec![3.0, 1.0, 1.0, f64::NAN, f64::NAN]);
    assert_eq!(run(ArgMin, &x, &[0], false, None), arr(&[], vec![3i64]));
    assert_eq!(run(ArgMax, &x, &[0], false, None), arr(&[], vec![3i64]));
    let x = arr(&[4], vec![3, 1, 0, 0]);
    assert_eq!(run(ArgMin, &x, &[0], false, None), arr(&[], vec![2i64]));
    assert_eq!(run(ArgMax, &x, &[0], false, None), arr(&[], vec![0i64]));
    // Over axes (0, 2) of a 2x3x4 array the index is flat over (axis0, axis2):
    // np.argmin(a.transpose(1,0,2).reshape(3,8), axis=1) == [0, 1, 2], argmax == [6, 0, 1].
    let a = arr(&[2, 3, 4], (0..24).map(|i| i % 5).collect::<Vec<i64>>());
    assert_eq!(
        run(ArgMin, &a, &[0, 2], false, None),
        arr(&[3], vec![0i64, 1, 2])
    );
    assert_eq!(
        run(ArgMax, &a, &[0, 2], false, None),
        arr(&[3], vec![6i64, 0, 1])
    );
    assert_eq!(
        run_split(ArgMax, &a, &[0, 2], 2, &[1, 3]),
        arr(&[3], vec![6i64, 0, 1])
    );
    assert_eq!(
        run_split(ArgMin, &a, &[0, 2], 0, &[1, 1]),
        arr(&[3], vec![0i64, 1, 2])
    );
}

#[test]
fn arg_ties_and_nan_across_chunks() {
    let x = arr(&[6], vec![5.0, 1.0, 3.0, 1.0, 1.0, 2.0]);
    for sizes in [&[3, 3][..], &[2, 0, 4], &[1, 1, 4], &[4, 2]] {
        assert_eq!(
            run_split(ArgMin, &x, &[0], 0, sizes),
            arr(&[], vec![1i64]),
            "{sizes:?}"
        );
    }
    let x = arr(&[6], vec![1.0, 0.0, 2.0, 3.0, f64::NAN, f64::NAN]);
    assert_eq!(
        run_split(ArgMin, &x, &[0], 0, &[3, 3]),
        arr(&[], vec![4i64])
    );
    assert_eq!(
        run_split(ArgMax, &x, &[0], 0, &[3, 1, 2]),
        arr(&[], vec![4i64])
    );
    let x = arr(&[5], vec![7u8, 9, 9, 9, 1]);
    assert_eq!(
        run_split(ArgMax, &x, &[0], 0, &[2, 3]),
        arr(&[], vec![1i64])
    );
}

#[test]
fn any_all() {
    let x = arr(&[2, 2], vec![0.0, f64::NAN, 0.0, 0.0]);
    assert_eq!(
        run(Any, &x, &[1], false, None),
        arr(&[2], vec![true, false])
    );
    assert_eq!(run(All, &x, &[0, 1], false, None), arr(&[], vec![false]));
    assert_eq!(
        run(All, &arr(&[2], vec![f64::NAN, -1.0]), &[0], false, None),
        arr(&[], vec![true])
    );
    let c = arr(&[2], vec![C64::new(0.0, 0.0), C64::new(0.0, 1.0)]);
    assert_eq!(run(Any, &c, &[0], false, None), arr(&[], vec![true]));
    let e = arr::<i8>(&[0], vec![]);
    assert_eq!(run(All, &e, &[0], false, None), arr(&[], vec![true]));
    assert_eq!(run(Any, &e, &[0], false, None), arr(&[], vec![false]));
}

#[test]
fn mean() {
    let x = arr(&[2, 2], vec![1i32, 2, 3, 4]);
    assert_eq!(f64s(&run(Mean, &x, &[0, 1], false, None)), vec![2.5]);
    assert_eq!(f64s(&run(Mean, &x, &[0], false, None)), vec![2.0, 3.0]);
    // np.mean([1.5, 2.5], dtype=int64) == 1: the input is cast first, the quotient truncated.
    let f = arr(&[2], vec![1.5, 2.5]);
    assert_eq!(
        run(Mean, &f, &[0], false, Some(DType::Int64)),
        arr(&[], vec![1i64])
    );
    let e = arr::<f64>(&[0], vec![]);
    assert!(f64s(&run(Mean, &e, &[0], false, None))[0].is_nan());
    // np.mean([1+1j, 2, 3-1j]) == 2+0j
    let c = arr(
        &[3],
        vec![C64::new(1.0, 1.0), C64::new(2.0, 0.0), C64::new(3.0, -1.0)],
    );
    assert_eq!(
        run(Mean, &c, &[0], false, None),
        arr(&[], vec![C64::new(2.0, 0.0)])
    );
    let h = arr(&[2], vec![1.0f32, 2.0]);
    assert_eq!(run(Mean, &h, &[0], false, None), arr(&[], vec![1.5f32]));
}

#[test]
fn var_std() {
    let x = arr(&[4], vec![1i64, 2, 3, 4]);
    close(&f64s(&run(Var { ddof: 0 }, &x, &[0], false, None)), &[1.25]);
    close(
        &f64s(&run(Var { ddof: 1 }, &x, &[0], false, None)),
        &[1.6666666666666667],
    );
    close(
        &f64s(&run(Std { ddof: 0 }, &x, &[0], false, None)),
        &[1.25f64.sqrt()],
    );
    // np.var([1.0], ddof=1) is nan, np.var([1., 2.], ddof=2) and ddof=3 are inf.
    assert!(f64s(&run(
        Var { ddof: 1 },
        &arr(&[1], vec![1.0]),
        &[0],
        false,
        None
    ))[0]
        .is_nan());
    let two = arr(&[2], vec![1.0, 2.0]);
    assert_eq!(
        f64s(&run(Var { ddof: 2 }, &two, &[0], false, None)),
        vec![f64::INFINITY]
    );
    assert_eq!(
        f64s(&run(Var { ddof: 3 }, &two, &[0], false, None)),
        vec![f64::INFINITY]
    );
    assert!(f64s(&run(
        Var { ddof: 0 },
        &arr::<f64>(&[0], vec![]),
        &[0],
        false,
        None
    ))[0]
        .is_nan());
    // np.var([1+1j, 2, 3-1j]) == 1.3333333333333333, np.std(..., ddof=1) == 1.4142135623730951
    let c = arr(
        &[3],
        vec![C64::new(1.0, 1.0), C64::new(2.0, 0.0), C64::new(3.0, -1.0)],
    );
    close(
        &f64s(&run(Var { ddof: 0 }, &c, &[0], false, None)),
        &[1.3333333333333333],
    );
    close(
        &f64s(&run(Std { ddof: 1 }, &c, &[0], false, None)),
        &[std::f64::consts::SQRT_2],
    );
    assert_eq!(
        run(Var { ddof: 0 }, &c, &[0], false, Some(DType::Complex64)),
        arr(&[], vec![oxarray_core::C32::new(4.0 / 3.0, 0.0)])
    );
    // np.var([1e9+1, 1e9+2, 1e9+3]) == 0.6666666666666666 (no cancellation).
    close(
        &f64s(&run(
            Var { ddof: 0 },
            &arr(&[3], vec![1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]),
            &[0],
            false,
            None,
        )),
        &[2.0 / 3.0],
    );
    let s = run(
        Var { ddof: 0 },
        &arr(&[4], vec![1.0f32, 2.0, 3.0, 4.0]),
        &[0],
        false,
        None,
    );
    assert_eq!(s, arr(&[], vec![1.25f32]));
}

/// A deterministic pseudo-random matrix with repeated values (ties) and a NaN.
fn sample(shape: &[usize], nan: bool) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let mut s = 12345u64;
    let v: Vec<f64> = (0..n)
        .map(|i| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if nan && i == n - 3 {
                f64::NAN
            } else {
                ((s >> 33) % 17) as f64 * 0.37 - 2.0
            }
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).expect("sample")
}

fn assert_same(a: &Chunk, b: &Chunk, what: &str) {
    assert_eq!(a.dtype(), b.dtype(), "{what}");
    assert_eq!(a.shape(), b.shape(), "{what}");
    match (a.as_array::<f64>(), b.as_array::<f64>()) {
        (Some(x), Some(y)) => close(
            &x.iter().copied().collect::<Vec<_>>(),
            &y.iter().copied().collect::<Vec<_>>(),
        ),
        _ => assert_eq!(a, b, "{what}"),
    }
}

#[test]
fn chunking_does_not_change_results() {
    let ops = [
        Sum,
        Prod,
        Min,
        Max,
        Any,
        All,
        Mean,
        Var { ddof: 0 },
        Std { ddof: 1 },
        ArgMin,
        ArgMax,
    ];
    for nan in [false, true] {
        let a = sample(&[7, 5], nan);
        let as_int = a.mapv(|v| if v.is_nan() { 0 } else { (v * 10.0) as i32 });
        for x in [Chunk::from_array(a.clone()), Chunk::from_array(as_int)] {
            for op in ops {
                for (axes, split, sizes) in [
                    (&[0][..], 0, &[3, 4][..]),
                    (&[0], 0, &[2, 0, 5]),
                    (&[1], 1, &[1, 2, 2]),
                    (&[0, 1], 0, &[6, 1]),
                    (&[0, 1], 1, &[4, 1]),
                ] {
                    let whole = run(op, &x, axes, false, None);
                    let parts = run_split(op, &x, axes, split, sizes);
                    assert_same(
                        &whole,
                        &parts,
                        &format!("{op:?} {:?} axes {axes:?} split {sizes:?}", x.dtype()),
                    );
                }
            }
        }
    }
}

#[test]
fn combine_is_a_tree() {
    // ((p0, p1), p2) over a 2x2 grid of all-axes partials equals the one-chunk result.
    let a = sample(&[6, 4], false);
    let x = Chunk::from_array(a.clone());
    let shape = [6usize, 4];
    let op = Var { ddof: 1 };
    let out = DType::Float64;
    let mut ps = Vec::new();
    for (r0, c0) in [(0, 0), (0, 2), (3, 0), (3, 2)] {
        let piece = Chunk::from_array(
            a.slice(ndarray::s![r0..r0 + 3, c0..c0 + 2])
                .to_owned()
                .into_dyn(),
        );
        let off = [r0, c0];
        ps.push(
            partial(
                op,
                &piece,
                &[0, 1],
                out,
                &ChunkPlace {
                    offset: &off,
                    full_shape: &shape,
                },
            )
            .expect("partial"),
        );
    }
    let top = combine(op, &[&ps[0], &ps[1]], &[1, 2], &[0, 1], out).expect("combine");
    let bottom = combine(op, &[&ps[2], &ps[3]], &[1, 2], &[0, 1], out).expect("combine");
    let all = combine(op, &[&top, &bottom], &[2, 1], &[0, 1], out).expect("combine");
    let r = finalize(op, all, &[0, 1], false, out).expect("finalize");
    assert_same(&r, &run(op, &x, &[0, 1], false, None), "tree var");
    assert!(combine(op, &[&ps[0]], &[2, 1], &[0, 1], out).is_err());
}

#[test]
fn large_chunks_take_the_parallel_paths() {
    // Integer-valued floats: every summation order gives the exact answer.
    let (r, c) = (2048usize, 1024usize);
    let a = ArrayD::from_shape_fn(IxDyn(&[r, c]), |ix| ((ix[0] * 7 + ix[1] * 3) % 11) as f64);
    let x = Chunk::from_array(a.clone());
    let axis0 = run(Sum, &x, &[0], false, None);
    assert_eq!(
        f64s(&axis0),
        a.sum_axis(Axis(0)).iter().copied().collect::<Vec<_>>()
    );
    let axis1 = run(Sum, &x, &[1], false, None);
    assert_eq!(
        f64s(&axis1),
        a.sum_axis(Axis(1)).iter().copied().collect::<Vec<_>>()
    );
    assert_eq!(f64s(&run(Sum, &x, &[0, 1], false, None)), vec![a.sum()]);
    let var0 = run(Var { ddof: 0 }, &x, &[0], false, None);
    let small = run_split(Var { ddof: 0 }, &x, &[0], 0, &[1000, 1048]);
    assert_same(&var0, &small, "var axis 0");
    let flat = x.clone().into_shape(&[r * c]);
    assert_eq!(
        run(ArgMax, &flat, &[0], false, None),
        arr(
            &[],
            vec![a.iter().position(|&v| v == 10.0).expect("max") as i64]
        )
    );
}
