//! How much one word looks like a person's first or last name, from its spelling alone: a logistic
//! regression over hashed character 2-, 3- and 4-grams (`model/namelike.bin`, trained offline by
//! `scripts/eval/train_namelike.py` on the names of `model/names.txt` against ordinary words of
//! several languages). It lets `running.rs` accept names outside the shipped lists next to a person
//! cue (`send it to Ngozi Eze`), where the lists alone need every part listed.
//!
//! Limits: spelling is weak evidence. At the shipped threshold about half of held-out names pass and
//! 2 % of held-out ordinary words do, so it is never used without a cue; words of scripts and
//! languages missing from the training lists score arbitrarily.

use std::sync::LazyLock;

use super::classifier::{crc32, f32_at, u32_at};

static BYTES: &[u8] = include_bytes!("model/namelike.bin");

struct Model {
    dim: u32,
    scale: f32,
    bias: f32,
    threshold: f32,
    weights: &'static [u8],
}

/// The shipped model; `None` (every word scores as not name-like) if the file is malformed.
static MODEL: LazyLock<Option<Model>> = LazyLock::new(|| {
    let bytes = BYTES;
    if bytes.len() < 20 || &bytes[..4] != b"NLK1" {
        return None;
    }
    let dim = u32_at(bytes, 4);
    let weights = &bytes[20..];
    (dim.is_power_of_two() && weights.len() == dim as usize).then(|| Model {
        dim,
        scale: f32_at(bytes, 8),
        bias: f32_at(bytes, 12),
        threshold: f32_at(bytes, 16),
        weights,
    })
});

impl Model {
    /// The score of `word` (higher: more name-like).
    fn score(&self, word: &str) -> f32 {
        let mut marked = String::with_capacity(word.len() + 2);
        marked.push('^');
        marked.extend(word.chars().flat_map(char::to_lowercase));
        marked.push('$');
        let bytes = marked.as_bytes();
        let offsets: Vec<usize> = marked
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(bytes.len()))
            .collect();
        let seed = crc32(0, b"n:");
        let mut sum = 0i32;
        for n in 2..=4 {
            for i in 0..offsets.len().saturating_sub(n) {
                let h = crc32(seed, &bytes[offsets[i]..offsets[i + n]]) & (self.dim - 1);
                sum += i32::from(self.weights[h as usize] as i8);
            }
        }
        self.bias + sum as f32 * self.scale
    }
}

/// Whether `word` reads as a name (above the shipped threshold).
pub fn name_like(word: &str) -> bool {
    word.chars().count() >= 3 && MODEL.as_ref().is_some_and(|m| m.score(word) > m.threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_loads_and_separates_names_from_words() {
        assert!(MODEL.is_some());
        for name in ["Schimmelpfennig", "Ngozi", "Kowalczyk"] {
            assert!(name_like(name), "{name}");
        }
        for word in ["Studio", "Gateway", "Rechnung", "Invoice", "the"] {
            assert!(!name_like(word), "{word}");
        }
    }
}
