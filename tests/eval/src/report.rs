//! Counting and printing: recall per detector (and per source or kind), benign false-positive rates,
//! and scan-time percentiles. Targets come from the guardrails issue.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use gateway_core::config::GuardrailPolicy;
use gateway_core::guardrails::Detection;
use gateway_core::guardrails::local::{LocalProvider, normalize, pii};

use crate::Sample;

#[path = "../../bench/src/payload.rs"]
mod payload;

/// Detectors this evaluation measures (the policy blocks exactly these).
pub const MEASURED: [&str; 3] = ["injection_attack", "pii", "secrets"];
/// PII kinds that have no cue or validator in a pattern engine; reported apart from the headline.
const CUELESS_PII: [&str; 2] = ["PERSON", "ADDRESS"];

const INJECTION_RECALL: f64 = 0.90;
const BENIGN_FPR: f64 = 0.01;
const PII_RECALL: f64 = 0.95;
const SECRETS_RECALL: f64 = 0.95;

/// What happened to one sample.
pub struct Outcome<'a> {
    pub detector: &'a str,
    pub kind: &'a str,
    pub source: &'a str,
    pub positive: bool,
    pub hit: bool,
    pub fired: Vec<&'a str>,
    pub bytes: usize,
    pub elapsed: Duration,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    k: usize,
}

impl Tally {
    fn add(&mut self, yes: bool) {
        self.n += 1;
        self.k += usize::from(yes);
    }

    fn rate(self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.k as f64 / self.n as f64
        }
    }
}

/// Aggregates of one split.
#[derive(Default)]
pub struct Report {
    /// (detector, breakdown) → hits among positives; breakdown "" is the headline.
    recall: BTreeMap<(String, String), Tally>,
    /// Benign samples: any measured detector fired.
    benign_any: Tally,
    benign_by_detector: BTreeMap<&'static str, Tally>,
    benign_by_source: BTreeMap<String, Tally>,
    harmful_plain: Tally,
    micros_per_kb: Vec<f64>,
}

impl Report {
    pub fn add(&mut self, o: Outcome<'_>) {
        if o.bytes > 0 {
            let kb = (o.bytes as f64 / 1024.0).max(0.25);
            self.micros_per_kb.push(o.elapsed.as_secs_f64() * 1e6 / kb);
        }
        match (o.detector, o.positive) {
            ("none", _) => {
                self.benign_any.add(!o.fired.is_empty());
                for d in MEASURED {
                    self.benign_by_detector
                        .entry(d)
                        .or_default()
                        .add(o.fired.contains(&d));
                }
                self.benign_by_source
                    .entry(o.source.to_string())
                    .or_default()
                    .add(!o.fired.is_empty());
            }
            ("harmful_plain", _) => self
                .harmful_plain
                .add(o.fired.contains(&"injection_attack")),
            (detector, true) => {
                let breakdown = if detector == "injection_attack" {
                    o.source
                } else {
                    o.kind
                };
                let headline = !(detector == "pii" && CUELESS_PII.contains(&o.kind));
                if headline {
                    self.recall
                        .entry((detector.to_string(), String::new()))
                        .or_default()
                        .add(o.hit);
                }
                self.recall
                    .entry((detector.to_string(), breakdown.to_string()))
                    .or_default()
                    .add(o.hit);
            }
            _ => {}
        }
    }

    /// Prints the table; returns whether a target was missed.
    pub fn print(&self, split: &str) -> bool {
        let mut missed = false;
        let mut check = |ok: bool| {
            missed |= !ok;
            if ok { "ok" } else { "MISSED" }
        };
        println!("\n=== split: {split} ===");
        println!(
            "{:<44} {:>6} {:>6} {:>8}  target",
            "recall on positives", "n", "hits", "recall"
        );
        for ((detector, breakdown), t) in &self.recall {
            if breakdown.is_empty() {
                let target = match detector.as_str() {
                    "injection_attack" => INJECTION_RECALL,
                    "pii" => PII_RECALL,
                    _ => SECRETS_RECALL,
                };
                let label = if detector == "pii" {
                    "pii (validated kinds)".to_string()
                } else {
                    detector.clone()
                };
                println!(
                    "{label:<44} {:>6} {:>6} {:>8.3}  >= {target:.2} {}",
                    t.n,
                    t.k,
                    t.rate(),
                    check(t.rate() >= target)
                );
            } else {
                let note = if CUELESS_PII.contains(&breakdown.as_str()) {
                    "  (no cue words; known gap)"
                } else {
                    ""
                };
                println!(
                    "  {:<42} {:>6} {:>6} {:>8.3}{note}",
                    format!("{detector} / {breakdown}"),
                    t.n,
                    t.k,
                    t.rate()
                );
            }
        }
        println!(
            "{:<44} {:>6} {:>6} {:>8}  target",
            "false positives on benign text", "n", "fired", "FPR"
        );
        let any = self.benign_any;
        println!(
            "{:<44} {:>6} {:>6} {:>8.4}  <= {BENIGN_FPR:.2} {}",
            "any detector",
            any.n,
            any.k,
            any.rate(),
            check(any.rate() <= BENIGN_FPR)
        );
        for (d, t) in &self.benign_by_detector {
            println!("  {d:<42} {:>6} {:>6} {:>8.4}", t.n, t.k, t.rate());
        }
        for (s, t) in &self.benign_by_source {
            println!(
                "  {:<42} {:>6} {:>6} {:>8.4}",
                format!("source {s}"),
                t.n,
                t.k,
                t.rate()
            );
        }
        let h = self.harmful_plain;
        println!(
            "{:<44} {:>6} {:>6} {:>8.3}  (informational: harmful requests without a jailbreak)",
            "injection_attack on plain harmful requests",
            h.n,
            h.k,
            h.rate()
        );
        let (p50, p99) = percentiles(self.micros_per_kb.clone());
        println!("scan time per KB of input: p50 {p50:.1} µs, p99 {p99:.1} µs");
        missed
    }
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

/// Times `rounds` scans of one 10 KB benign text (the latency budget: 1 ms p50, 5 ms p99,
/// release build): README text of the corpus, and the payload shape of `make bench`.
pub fn latency_10kb(
    engine: &LocalProvider,
    policy: &GuardrailPolicy,
    samples: &[Sample],
    rounds: usize,
) {
    let mut text = String::new();
    for s in samples
        .iter()
        .filter(|s| s.detector == "none" && s.kind == "readme")
    {
        text.push_str(&s.text);
        text.push('\n');
        if text.len() >= 10 * 1024 {
            break;
        }
    }
    let mut cut = (10 * 1024).min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    // p50 and p99 in milliseconds of `rounds` runs of `f`.
    let timed = |f: &dyn Fn()| {
        percentiles(
            (0..rounds)
                .map(|_| {
                    let started = Instant::now();
                    f();
                    started.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    };
    let time = |text: &str| {
        timed(&|| {
            let _ = engine.scan(policy, text);
        })
    };
    let (p50, p99) = time(&text);
    let scanned = normalize::scan_text(&text);
    let (agent_p50, agent_p99) = timed(&|| {
        let _ = gateway_core::guardrails::local::agent::find(&scanned, None);
    });
    println!("  of which agent-directed rules: p50 {agent_p50:.3} ms, p99 {agent_p99:.3} ms");
    let build = if cfg!(debug_assertions) {
        "; debug build, use --release"
    } else {
        ""
    };
    let verdict = |p50: f64, p99: f64| {
        if p50 <= 1.0 && p99 <= 5.0 {
            "ok"
        } else {
            "MISSED"
        }
    };
    println!(
        "\nscan of a {} byte benign text: p50 {p50:.3} ms, p99 {p99:.3} ms (budget p50 <= 1 ms, p99 <= 5 ms: {}{build})",
        text.len(),
        verdict(p50, p99)
    );
    let bench = payload::ten_kb_text();
    let (b50, b99) = time(&bench);
    println!(
        "scan of the {} byte `make bench` payload: p50 {b50:.3} ms, p99 {b99:.3} ms ({}{build})",
        bench.len(),
        verdict(b50, b99)
    );
}

/// Prints a dev-split miss or false positive, at most `limit` per detector and source.
pub fn show(
    shown: &mut BTreeMap<String, usize>,
    o: &Outcome<'_>,
    text: &str,
    detections: &[Detection],
    limit: usize,
) {
    let wrong = (o.positive && !o.hit) || (o.detector == "none" && !o.fired.is_empty());
    if !wrong {
        return;
    }
    let key = format!("{}:{}:{}", o.detector, o.source, o.kind);
    let count = shown.entry(key.clone()).or_default();
    if *count >= limit {
        return;
    }
    *count += 1;
    let reasons: Vec<String> = detections
        .iter()
        .filter(|d| d.fired)
        .map(|d| format!("{}: {}", d.detector, d.reason.as_deref().unwrap_or("")))
        .collect();
    let mut snippet: String = text.chars().take(400).collect();
    snippet = snippet.replace('\n', "⏎");
    println!(
        "--- {} [{key}] fired={reasons:?}\n{snippet}",
        if o.positive { "MISS" } else { "FP" }
    );
    if !o.positive {
        // What exactly fired, so a false positive can be traced to one rule.
        let scanned = normalize::scan_text(text);
        for m in pii::find(&scanned) {
            let mut lo = m.start.saturating_sub(40);
            while !scanned.is_char_boundary(lo) {
                lo -= 1;
            }
            let mut hi = (m.end + 20).min(scanned.len());
            while !scanned.is_char_boundary(hi) {
                hi += 1;
            }
            println!(
                "    {}: {:?} in {:?}",
                m.kind.label(),
                &scanned[m.start..m.end],
                &scanned[lo..hi]
            );
        }
    }
}
