//! Standard normals by Marsaglia and Tsang's ziggurat (256 layers, 52-bit mantissas, the layout
//! NumPy uses), made chunk-invariant: element `i` first tries the 64 bits the primary stream gives
//! it; the rare extra uniforms (wedge test, tail, new attempts) come from counters keyed by `i`
//! (tags >= 1), never from a sequential state.

use super::dists::unit53;
use super::philox::{counter, philox4x32};
use super::Stream;
use std::sync::OnceLock;

const LAYERS: usize = 256;
/// Start of the tail and area of each layer for 256 layers (Marsaglia & Tsang, 2000).
const R: f64 = 3.654_152_885_361_009;
const V: f64 = 0.004_928_673_233_99;
/// Tags reserved per attempt: one for the attempt's bits, the rest for tail iterations.
const TAGS_PER_ATTEMPT: u32 = 64;

struct Tables {
    k: [u64; LAYERS],
    w: [f64; LAYERS],
    f: [f64; LAYERS],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let m = (1u64 << 52) as f64;
        let mut t = Tables {
            k: [0; LAYERS],
            w: [0.0; LAYERS],
            f: [0.0; LAYERS],
        };
        let (mut dn, mut tn) = (R, R);
        let q = V / (-0.5 * dn * dn).exp();
        t.k[0] = ((dn / q) * m) as u64;
        t.w[0] = q / m;
        t.w[LAYERS - 1] = dn / m;
        t.f[0] = 1.0;
        t.f[LAYERS - 1] = (-0.5 * dn * dn).exp();
        for i in (1..LAYERS - 1).rev() {
            dn = (-2.0 * (V / dn + (-0.5 * dn * dn).exp()).ln()).sqrt();
            t.k[i + 1] = ((dn / tn) * m) as u64;
            tn = dn;
            t.f[i] = (-0.5 * dn * dn).exp();
            t.w[i] = dn / m;
        }
        t
    })
}

/// The standard normal of element `i` whose primary draw is `r`.
#[inline(always)]
pub(crate) fn normal(s: &Stream, i: u64, r: u64) -> f64 {
    let t = tables();
    let idx = (r & 0xff) as usize;
    let rabs = (r >> 9) & 0x000f_ffff_ffff_ffff;
    let x = rabs as i64 as f64 * t.w[idx];
    if rabs < t.k[idx] {
        return if r & 0x100 != 0 { -x } else { x };
    }
    slow(s, i, r)
}

#[cold]
fn slow(s: &Stream, i: u64, mut r: u64) -> f64 {
    let t = tables();
    for attempt in 0u32.. {
        let base = 1 + attempt.wrapping_mul(TAGS_PER_ATTEMPT);
        let aux = philox4x32(counter(i, s.stream, base), s.key);
        if attempt > 0 {
            r = ((aux[1] as u64) << 32) | aux[0] as u64;
        }
        let idx = (r & 0xff) as usize;
        let negative = r & 0x100 != 0;
        let rabs = (r >> 9) & 0x000f_ffff_ffff_ffff;
        let x = rabs as i64 as f64 * t.w[idx];
        let signed = |v: f64| if negative { -v } else { v };
        if rabs < t.k[idx] {
            return signed(x);
        }
        if idx == 0 {
            // The tail beyond R, sampled exactly (Marsaglia 1964), from its own counters.
            for it in 1u32.. {
                let b = philox4x32(counter(i, s.stream, base.wrapping_add(it)), s.key);
                let xx = -(1.0 - unit53(b[0], b[1])).ln() / R;
                let yy = -(1.0 - unit53(b[2], b[3])).ln();
                if yy + yy > xx * xx {
                    return signed(R + xx);
                }
            }
            continue;
        }
        let u = unit53(aux[2], aux[3]);
        if (t.f[idx - 1] - t.f[idx]) * u + t.f[idx] < (-0.5 * x * x).exp() {
            return signed(x);
        }
    }
    0.0
}
