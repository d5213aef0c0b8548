//! A fast hasher for the engine's read-only word tables (gazetteer names, street words, word
//! classes): every word of a scanned text is looked up, and SipHash cost more than the lookup.
//!
//! The tables are built once from lists shipped in the repo and never take keys from scanned text,
//! so hash flooding (what SipHash guards against) cannot grow them; a lookup is bounded by the
//! fixed table.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): multiply-rotate over 8-byte words.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let mut map: FastMap<String, u8> = FastMap::default();
        for (i, w) in [
            "anna",
            "annabel",
            "an",
            "a",
            "jürgen",
            "müller-lüdenscheidt",
        ]
        .iter()
        .enumerate()
        {
            map.insert((*w).to_string(), i as u8);
        }
        assert_eq!(map.get("annabel"), Some(&1));
        assert_eq!(map.get("müller-lüdenscheidt"), Some(&5));
        assert_eq!(map.get("annab"), None);
        assert_eq!(map.get(""), None);
    }
}
