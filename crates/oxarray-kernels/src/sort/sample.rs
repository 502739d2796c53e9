//! Sample sort of one lane split over several chunks (kernel: `np.sort` along a chunked axis of
//! 1-lane blocks, values of a dtype with an integer key). Three steps, each a task of the graph:
//!
//! 1. [`splitters`]: keys sampled over every chunk, sorted; their quantiles (distinct) cut the key
//!    range into about `n / BUCKET_KEYS` cache-sized buckets. Bucket `2r` holds the keys strictly
//!    between splitters `r - 1` and `r`, bucket `2r + 1` the keys equal to splitter `r`, so a run
//!    of equal values is one bucket that needs no sorting. A float's zero and NaN keys are always
//!    splitters: their buckets hold exactly the values a key does not give back (-0.0 and NaN
//!    payloads), kept as values in index order (NumPy's stable order of equal values).
//! 2. [`classify`], per input chunk: every value's bucket (a branchless search of the splitters),
//!    then one stable scatter of the values into bucket order; buckets of one plain key are only
//!    counted.
//! 3. [`gather`], per output chunk (its rank range in the whole lane): the buckets that overlap
//!    it, one at a time: the bucket's pieces from every chunk are read as keys into a scratch
//!    buffer that stays in cache, split there by a radix digit of their place between the
//!    bucket's splitters into sub-buckets of a few dozen keys (module `split`), those sorted
//!    ([`super::simd`] quicksort where the CPU has AVX-512, else `sort_unstable`), and the
//!    overlapping ranks written out as values.
//!
//! So the data crosses memory a few times in all (classify reads it twice and writes it once,
//! gather reads it once and writes the output once) with no merge; only the buckets that straddle
//! an output chunk's edges are sorted twice. A poor sample only makes buckets larger (the result
//! is exact whatever the splitters are).

use super::order::NpOrd;
use oxarray_core::buffer::{assume_init, uninit_vec, zeroed_vec};
use oxarray_core::{OxError, OxResult};
use std::mem::MaybeUninit;

/// Buckets aim at about this many keys (1 MiB of u64 keys: sorted inside the L2 cache).
pub const BUCKET_KEYS: usize = 1 << 17;
/// Most buckets between splitters (scatter streams stay few enough for the TLB).
pub const MAX_BUCKETS: usize = 2048;
/// Sampled keys per bucket.
const OVERSAMPLE: usize = 32;

#[inline(always)]
fn key_of<T: NpOrd>(x: &T, descending: bool) -> u64 {
    let k = x.key();
    if descending {
        !k
    } else {
        k
    }
}

#[inline(always)]
fn value_of<T: NpOrd>(k: u64, descending: bool) -> T {
    T::from_key(if descending { !k } else { k })
}

/// Sorted distinct splitter keys for the lane made of `blocks` (in axis order), aiming at buckets
/// of `bucket_keys` keys.
pub fn splitters<T: NpOrd>(blocks: &[&[T]], descending: bool, bucket_keys: usize) -> Vec<u64> {
    let n: usize = blocks.iter().map(|b| b.len()).sum();
    let mut buckets = n.div_ceil(bucket_keys.max(1)).clamp(1, MAX_BUCKETS);
    // The zero and NaN splitters (below) should not push the search tree past a power of two:
    // 1023 splitters plus those two would take a level more than 1021 plus two.
    let specials = [T::default(), T::nan_value()]
        .iter()
        .filter(|v| v.needs_fixup())
        .count();
    let p = buckets.next_power_of_two();
    if buckets + specials > p && p > 2 * specials {
        buckets = p - specials;
    }
    let mut s: Vec<u64> = Vec::new();
    if buckets > 1 {
        let want = (buckets * OVERSAMPLE).min(n);
        let mut sample = Vec::with_capacity(want);
        // Pseudo-random positions (xorshift), each chunk in proportion to its length.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for b in blocks.iter().filter(|b| !b.is_empty()) {
            let take = (want as u128 * b.len() as u128 / n as u128) as usize;
            for _ in 0..take.max(1) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                sample.push(key_of(&b[(state % b.len() as u64) as usize], descending));
            }
        }
        sample.sort_unstable();
        let len = sample.len();
        s.extend((1..buckets).map(|q| sample[q * len / buckets]));
    }
    // Zero and NaN are splitters of their own (see the module doc).
    for v in [T::default(), T::nan_value()] {
        if v.needs_fixup() {
            s.push(key_of(&v, descending));
        }
    }
    s.sort_unstable();
    s.dedup();
    s
}

/// Most splitters plus one, a power of two: the search tree and the padded splitters have this
/// fixed length, so masked indices need no bounds checks.
const TREE: usize = 1 << 12;

/// The splitters as an implicit search tree (super-scalar sample sort): `t[1..p]` holds the
/// splitters, padded with `u64::MAX` to `p - 1 = 2^levels - 1` keys, in breadth-first order of
/// the balanced search tree (`t[i]`'s children are `t[2i]` and `t[2i + 1]`), so the search is
/// `i = 2i + (key > t[i])` for `levels` steps, without a branch, and `i - p` is the number of
/// splitters below the key; `s` is the sorted splitters padded with `u64::MAX` (the equality test).
struct Tree {
    t: Box<[u64; TREE]>,
    s: Box<[u64; TREE]>,
    m: usize,
    levels: u32,
}

fn padded(v: Vec<u64>) -> OxResult<Box<[u64; TREE]>> {
    v.into_boxed_slice()
        .try_into()
        .map_err(|_| OxError::Internal("sample sort: tree".into()))
}

impl Tree {
    fn new(splitters: &[u64]) -> OxResult<Tree> {
        let m = splitters.len();
        if splitters.windows(2).any(|w| w[0] >= w[1]) || m >= TREE {
            return Err(OxError::Internal("sample sort: bad splitters".into()));
        }
        let mut s = vec![u64::MAX; TREE];
        s[..m].copy_from_slice(splitters);
        let p = (m + 1).next_power_of_two();
        let levels = p.trailing_zeros();
        let mut t = vec![u64::MAX; TREE];
        for d in 0..levels {
            for i in (1usize << d)..(2usize << d) {
                // Node i of depth d is the splitter of in-order rank (2(i - 2^d) + 1) 2^(L-1-d) - 1.
                t[i] = s[((2 * (i - (1 << d)) + 1) << (levels - 1 - d)) - 1];
            }
        }
        Ok(Tree {
            t: padded(t)?,
            s: padded(s)?,
            m,
            levels,
        })
    }

    fn buckets(&self) -> usize {
        2 * self.m + 1
    }

    /// The buckets of `N` keys: `2r` (`r` splitters below the key) or `2r + 1` (equal to
    /// splitter `r`). Branchless, the `N` searches interleaved so their loads overlap.
    #[inline(always)]
    fn bucket_n<const N: usize>(&self, k: &[u64; N]) -> [u16; N] {
        let t: &[u64; TREE] = &self.t;
        let mut i = [1usize; N];
        for _ in 0..self.levels {
            for j in 0..N {
                i[j] = 2 * i[j] + usize::from(k[j] > t[i[j] & (TREE - 1)]);
            }
        }
        let p = 1usize << self.levels;
        std::array::from_fn(|j| {
            let r = (i[j] - p) & (TREE - 1);
            (2 * r + usize::from(self.s[r] == k[j] && r < self.m)) as u16
        })
    }

    #[inline(always)]
    fn bucket(&self, k: u64) -> u16 {
        self.bucket_n::<1>(&[k])[0]
    }

    /// Whether bucket `b` keeps its values (between splitters, or equal to a zero or NaN key):
    /// the other buckets are one plain key each, only counted.
    fn stored<T: NpOrd>(&self, b: usize, descending: bool) -> bool {
        b.is_multiple_of(2) || value_of::<T>(self.s[(b / 2) & (TREE - 1)], descending).needs_fixup()
    }
}

/// Keys classified per step of [`bucket_ids`].
const STEP: usize = 64;

/// The buckets of `STEP` keys: AVX-512 where `simd` (checked by the caller), else the scalar
/// search.
#[inline(always)]
fn search(tree: &Tree, k: &[u64; STEP], out: &mut [u16; STEP], simd: bool) {
    #[cfg(target_arch = "x86_64")]
    if simd {
        // SAFETY: `simd` is `super::simd::available()`: the CPU has AVX-512F.
        unsafe { vector::buckets::<8, STEP>(tree, k, out) };
        return;
    }
    let _ = simd;
    for (k, o) in k.chunks_exact(8).zip(out.chunks_exact_mut(8)) {
        let k: &[u64; 8] = k.try_into().expect("chunks of 8");
        o.copy_from_slice(&tree.bucket_n(k));
    }
}

/// The bucket of every value of `src` into `ids`, and the buckets' counts (`tree.buckets()`).
fn bucket_ids<T: NpOrd>(src: &[T], tree: &Tree, descending: bool, ids: &mut [u16]) -> Vec<usize> {
    let nb = tree.buckets();
    let mut count = vec![0usize; nb];
    // Four count tables (u32, flushed every 2^30 values), so runs of one bucket do not chain
    // every increment through one memory slot.
    let mut part = vec![[0u32; 4]; nb];
    let simd = super::simd::available();
    for (src, ids) in src.chunks(1 << 30).zip(ids.chunks_mut(1 << 30)) {
        let mut c = src.chunks_exact(STEP);
        let mut o = ids.chunks_exact_mut(STEP);
        for (c, o) in (&mut c).zip(&mut o) {
            let k: [u64; STEP] = std::array::from_fn(|i| key_of(&c[i], descending));
            let o: &mut [u16; STEP] = o.try_into().expect("chunks of STEP");
            search(tree, &k, o, simd);
            for (j, &x) in o.iter().enumerate() {
                part[x as usize][j % 4] += 1;
            }
        }
        for (x, o) in c.remainder().iter().zip(o.into_remainder()) {
            *o = tree.bucket(key_of(x, descending));
            part[*o as usize][0] += 1;
        }
        for (c, p) in count.iter_mut().zip(&mut part) {
            *c += p.iter().map(|&x| x as usize).sum::<usize>();
            *p = [0; 4];
        }
    }
    count
}

/// The bucket search of [`classify`] alone (the `sort_phases` example times it): every value's
/// bucket and the buckets' counts.
#[doc(hidden)]
pub fn bucket_search<T: NpOrd>(
    src: &[T],
    splitters: &[u64],
    descending: bool,
) -> OxResult<(Vec<u16>, Vec<usize>)> {
    let tree = Tree::new(splitters)?;
    let mut ids: Vec<u16> = zeroed_vec(src.len())?;
    let count = bucket_ids(src, &tree, descending, &mut ids);
    Ok((ids, count))
}

/// Chunk `src` of the lane classified: (its stored values in bucket order, stable; the count of
/// every bucket, `2 * splitters.len() + 1` of them).
pub fn classify<T: NpOrd>(
    src: &[T],
    splitters: &[u64],
    descending: bool,
) -> OxResult<(Vec<T>, Vec<i64>)> {
    let tree = Tree::new(splitters)?;
    let nb = tree.buckets();
    let mut ids: Vec<u16> = zeroed_vec(src.len())?;
    let count = bucket_ids(src, &tree, descending, &mut ids);
    // Each stored bucket's cursor; the others write to one spare slot past the end, unmoved
    // (`step` 0), so the scatter has no branch.
    let mut off = vec![0usize; nb];
    let mut step = vec![0usize; nb];
    let mut total = 0;
    for b in 0..nb {
        if tree.stored::<T>(b, descending) {
            off[b] = total;
            step[b] = 1;
            total += count[b];
        }
    }
    for b in 0..nb {
        if step[b] == 0 {
            off[b] = total;
        }
    }
    // Every slot below `total` is written once by the scatter (the spare slot may not be).
    let mut out = uninit_vec::<T>(total + 1)?;
    let dst = out.as_mut_ptr() as *mut T;
    #[cfg(target_arch = "x86_64")]
    if std::mem::size_of::<T>() == 8 && std::mem::align_of::<T>() == 8 && super::simd::available() {
        let stored: Vec<bool> = step.iter().map(|&s| s == 1).collect();
        // SAFETY: AVX-512F is available; `T` is 8 bytes with 8-byte alignment and `Copy`, so
        // its values move as u64 bit patterns; the ids come from the search over `nb` buckets,
        // and the stored buckets' offsets are prefix sums of their counts, all below `total`.
        unsafe {
            let bits = std::slice::from_raw_parts(src.as_ptr() as *const u64, src.len());
            combine::scatter8(bits, &ids, &mut off, &stored, dst as *mut u64, total);
        }
        out.truncate(total);
        // SAFETY: the scatter wrote every slot below `total`.
        let out = unsafe { assume_init(out) };
        return Ok((out, count.into_iter().map(|c| c as i64).collect()));
    }
    scatter(src, &ids, &mut off, &step, dst, total + 1);
    out.truncate(total);
    // SAFETY: the scatter wrote every slot below `total` (see `scatter`).
    let out = unsafe { assume_init(out) };
    Ok((out, count.into_iter().map(|c| c as i64).collect()))
}

/// The stable scatter of `classify`: `src[i]` goes to `out[off[ids[i]]]` (`out` holding `len`
/// slots), which then moves on by `step[ids[i]]` (0 for the buckets that are only counted, all
/// writing `out`'s last slot).
fn scatter<T: Copy>(
    src: &[T],
    ids: &[u16],
    off: &mut [usize],
    step: &[usize],
    out: *mut T,
    len: usize,
) {
    for (x, &b) in src.iter().zip(ids) {
        let b = b as usize;
        let o = off[b];
        assert!(o < len);
        // SAFETY: `o < len` was just checked, so the write is inside `out`. (The offsets are the
        // prefix sums of the stored buckets' counts, so each slot below the last is written
        // once.)
        unsafe { out.add(o).write(*x) };
        off[b] = o + step[b];
    }
}

/// One classified chunk: its stored values (bucket order) and its bucket counts.
pub struct Piece<'a, T> {
    pub values: &'a [T],
    pub counts: &'a [i64],
}

/// The ranks `lo..hi` of the sorted lane whose chunks were classified into `pieces` (in axis
/// order) by `splitters`.
pub fn gather<T: NpOrd>(
    pieces: &[Piece<'_, T>],
    splitters: &[u64],
    lo: usize,
    hi: usize,
    descending: bool,
) -> OxResult<Vec<T>> {
    gather_with(
        pieces,
        splitters,
        lo,
        hi,
        descending,
        super::simd::available(),
    )
}

/// [`gather`] with the bucket sort chosen: AVX-512 (`simd`, when available) or `sort_unstable`.
pub fn gather_with<T: NpOrd>(
    pieces: &[Piece<'_, T>],
    splitters: &[u64],
    lo: usize,
    hi: usize,
    descending: bool,
    simd: bool,
) -> OxResult<Vec<T>> {
    let mut out = uninit_vec::<T>(hi.saturating_sub(lo))?;
    gather_into(pieces, splitters, lo, hi, descending, simd, &mut out)?;
    // SAFETY: `gather_into` returned Ok, so it wrote every element.
    Ok(unsafe { assume_init(out) })
}

/// [`gather_with`] into `out` (`hi - lo` slots, the output block's place in a result): every slot
/// is written when it returns `Ok`.
pub fn gather_into<T: NpOrd>(
    pieces: &[Piece<'_, T>],
    splitters: &[u64],
    lo: usize,
    hi: usize,
    descending: bool,
    simd: bool,
    out: &mut [MaybeUninit<T>],
) -> OxResult<()> {
    let tree = Tree::new(splitters)?;
    let nb = tree.buckets();
    let bad = || OxError::Internal("sample sort: inconsistent pieces".into());
    // Where each stored bucket starts in each piece, and the buckets' global counts.
    let mut starts: Vec<Vec<usize>> = Vec::with_capacity(pieces.len());
    let mut global = vec![0usize; nb];
    for p in pieces {
        if p.counts.len() != nb {
            return Err(bad());
        }
        let mut s = Vec::with_capacity(nb + 1);
        let mut at = 0usize;
        for (b, &c) in p.counts.iter().enumerate() {
            let c = usize::try_from(c).map_err(|_| bad())?;
            s.push(at);
            if tree.stored::<T>(b, descending) {
                at += c;
            }
            global[b] += c;
        }
        if at != p.values.len() {
            return Err(bad());
        }
        s.push(at);
        starts.push(s);
    }
    let total: usize = global.iter().sum();
    if lo > hi || hi > total || out.len() != hi - lo {
        return Err(bad());
    }
    // Every rank of lo..hi is written below: the buckets partition the ranks 0..total.
    let (mut keys, mut tmp) = (Vec::new(), Vec::new());
    let mut parts: Vec<&[T]> = Vec::with_capacity(pieces.len());
    let mut first = 0usize; // rank of bucket b's first key
    for (b, &g) in global.iter().enumerate() {
        let (a, e) = (first, first + g);
        first = e;
        if e <= lo || g == 0 {
            continue;
        }
        if a >= hi {
            break;
        }
        // This bucket's ranks a..e overlap lo..hi on w0..w1.
        let (w0, w1) = (a.max(lo), e.min(hi));
        let dst = &mut out[w0 - lo..w1 - lo];
        let pieces_of = || {
            pieces
                .iter()
                .zip(&starts)
                .map(move |(p, s)| &p.values[s[b]..s[b] + p.counts[b] as usize])
        };
        if !tree.stored::<T>(b, descending) {
            dst.fill(MaybeUninit::new(value_of(
                tree.s[(b / 2) & (TREE - 1)],
                descending,
            )));
        } else if b % 2 == 1 {
            // A zero or NaN run: the values themselves, in index order.
            let mut skip = w0 - a;
            let mut d = 0;
            for part in pieces_of() {
                let take = part.len().saturating_sub(skip).min(dst.len() - d);
                let from = skip.min(part.len());
                for (o, &x) in dst[d..d + take].iter_mut().zip(&part[from..from + take]) {
                    o.write(x);
                }
                skip -= from;
                d += take;
            }
        } else {
            // Keys strictly between splitters r - 1 and r (their own buckets hold the equal ones).
            let r = b / 2;
            let lo = r.checked_sub(1).map(|q| tree.s[q & (TREE - 1)] + 1);
            let hi = (r < tree.m).then(|| tree.s[r & (TREE - 1)].saturating_sub(1));
            parts.clear();
            parts.extend(pieces_of());
            split::sort_bucket(&parts, lo, hi, descending, simd, &mut keys, &mut tmp)?;
            for (d, &k) in dst.iter_mut().zip(&keys[w0 - a..w1 - a]) {
                d.write(value_of(k, descending));
            }
        }
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
mod combine;
mod split;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
mod vector;
