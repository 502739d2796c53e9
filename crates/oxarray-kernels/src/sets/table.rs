//! The two containers behind distinct values and lookups of `u64` keys: a dense bitmap/index
//! when the keys span a small range (integers drawn from a few thousand values: the common case,
//! and one table access per element), and an open-addressing hash set otherwise.

use oxarray_core::buffer::zeroed_vec;
use oxarray_core::OxResult;

/// Keys spanning at most this many values (and not many more than the elements) use a table.
const DENSE_MAX: u64 = 1 << 24;

/// Whether keys in `lo..=hi` from `n` elements are better counted in a dense table.
pub fn dense_fits(lo: u64, hi: u64, n: usize) -> bool {
    hi >= lo && {
        let span = hi - lo;
        span < DENSE_MAX && span <= 4 * n as u64 + 4096
    }
}

/// The sorted distinct keys of `keys` known to lie in `lo..=hi` (see [`dense_fits`]).
pub fn dense_distinct(keys: impl Iterator<Item = u64>, lo: u64, hi: u64) -> OxResult<Vec<u64>> {
    let span = (hi - lo) as usize + 1;
    let mut seen = zeroed_vec::<bool>(span)?;
    for k in keys {
        seen[(k - lo) as usize] = true;
    }
    Ok(seen
        .iter()
        .enumerate()
        .filter(|(_, &s)| s)
        .map(|(i, _)| lo + i as u64)
        .collect())
}

/// An open-addressing set of `u64` keys (linear probing, Fibonacci hashing); key 0 is kept
/// aside so that 0 can mark an empty slot.
pub struct KeySet {
    slots: Vec<u64>,
    shift: u32,
    len: usize,
    has_zero: bool,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl KeySet {
    pub fn new() -> OxResult<Self> {
        Ok(KeySet {
            slots: zeroed_vec::<u64>(1024)?,
            shift: 64 - 10,
            len: 0,
            has_zero: false,
        })
    }

    #[inline]
    pub fn insert(&mut self, k: u64) -> OxResult<()> {
        if k == 0 {
            self.has_zero = true;
            return Ok(());
        }
        let mask = self.slots.len() - 1;
        let mut i = (k.wrapping_mul(GOLDEN) >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s == k {
                return Ok(());
            }
            if s == 0 {
                self.slots[i] = k;
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.grow()?;
                }
                return Ok(());
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) -> OxResult<()> {
        let bigger = zeroed_vec::<u64>(2 * self.slots.len())?;
        let old = std::mem::replace(&mut self.slots, bigger);
        self.shift -= 1;
        self.len = 0;
        for k in old.into_iter().filter(|&k| k != 0) {
            self.insert(k)?;
        }
        Ok(())
    }

    /// The keys, sorted.
    pub fn into_sorted(self) -> Vec<u64> {
        let mut v: Vec<u64> = Vec::with_capacity(self.len + 1);
        if self.has_zero {
            v.push(0);
        }
        v.extend(self.slots.into_iter().filter(|&k| k != 0));
        v.sort_unstable();
        v
    }
}

/// Position of each key of a sorted, distinct key list: a dense table over a small span, else a
/// binary search.
pub enum KeyIndex<'a> {
    Dense { lo: u64, pos: Vec<i64> },
    Sorted(&'a [u64]),
}

impl<'a> KeyIndex<'a> {
    /// `sorted` ascending (duplicates allowed: the first occurrence is found).
    pub fn new(sorted: &'a [u64], n_lookups: usize) -> OxResult<Self> {
        if let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) {
            let span = hi.wrapping_sub(lo);
            if hi >= lo
                && span < DENSE_MAX
                && span <= 8 * (n_lookups as u64) + 4096
                && sorted.len() > 8
            {
                let mut pos = zeroed_vec::<i64>(span as usize + 1)?;
                pos.fill(-1);
                for (i, &k) in sorted.iter().enumerate().rev() {
                    pos[(k - lo) as usize] = i as i64;
                }
                return Ok(KeyIndex::Dense { lo, pos });
            }
        }
        Ok(KeyIndex::Sorted(sorted))
    }

    #[inline]
    pub fn find(&self, k: u64) -> Option<usize> {
        match self {
            KeyIndex::Dense { lo, pos } => {
                let off = k.wrapping_sub(*lo);
                match pos.get(off as usize) {
                    Some(&p) if off < pos.len() as u64 && p >= 0 => Some(p as usize),
                    _ => None,
                }
            }
            KeyIndex::Sorted(s) => {
                let i = s.partition_point(|&v| v < k);
                (s.get(i) == Some(&k)).then_some(i)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_set_finds_distinct_keys() {
        let mut s = KeySet::new().expect("alloc");
        for k in [5u64, 0, 3, 5, u64::MAX, 3, 0, 1 << 40] {
            s.insert(k).expect("insert");
        }
        for k in 100..5000u64 {
            s.insert(k * 7919).expect("insert");
        }
        let v = s.into_sorted();
        assert_eq!(&v[..3], &[0, 3, 5]);
        assert_eq!(v.len(), 3 + 4900 + 2);
        assert_eq!(*v.last().expect("nonempty"), u64::MAX);
    }

    #[test]
    fn dense_and_index_agree() {
        let keys = [9u64, 4, 4, 7, 9];
        assert!(dense_fits(4, 9, 5));
        let d = dense_distinct(keys.iter().copied(), 4, 9).expect("alloc");
        assert_eq!(d, vec![4, 7, 9]);
        let many: Vec<u64> = (0..20).map(|i| 3 * i).collect();
        for idx in [
            KeyIndex::new(&many, 1000).expect("a"),
            KeyIndex::Sorted(&many),
        ] {
            assert_eq!(idx.find(9), Some(3));
            assert_eq!(idx.find(10), None);
            assert_eq!(idx.find(1000), None);
        }
    }
}
