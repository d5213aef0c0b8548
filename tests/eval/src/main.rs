//! `make eval`: runs the offline guardrail engine (`LocalProvider::scan`) over the corpus that
//! `scripts/eval/fetch.py` builds from registry packages, and prints recall per detector on its positives,
//! the false-positive rate on benign text (any detector, and per detector), and scan time per KB.
//!
//! Dev and holdout splits are reported apart: tuning looks at dev only, so holdout stays an honest
//! estimate. This crate only measures; it owns no detection logic.

mod report;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use gateway_core::config::GuardrailPolicy;
use gateway_core::guardrails::Detection;
use gateway_core::guardrails::local::LocalProvider;
use serde::Deserialize;

use report::{Outcome, Report};

/// Command line of the evaluation binary.
#[derive(Parser)]
#[command(about = "Evaluate the offline guardrail engine on the fetched corpus")]
struct Args {
    /// The JSONL corpus written by scripts/eval/fetch.py.
    #[arg(long, default_value = ".cache/eval/corpus.jsonl")]
    corpus: PathBuf,
    /// Which split to report: dev, holdout or both.
    #[arg(long, default_value = "both")]
    split: String,
    /// Print up to N misses and false positives of the dev split (for tuning; never holdout).
    #[arg(long, default_value_t = 0)]
    show: usize,
    /// Exit non-zero when a holdout target is missed.
    #[arg(long)]
    strict: bool,
}

/// One corpus line.
#[derive(Deserialize)]
struct Sample {
    text: String,
    label: u8,
    detector: String,
    kind: String,
    source: String,
    split: String,
}

fn policy() -> GuardrailPolicy {
    GuardrailPolicy {
        enabled: true,
        block: ["injection_attack", "pii", "secrets"]
            .map(String::from)
            .to_vec(),
        ..GuardrailPolicy::default()
    }
}

/// Whether the detector a sample is about fired (for PII: with the sample's own kind).
fn hit(sample: &Sample, detections: &[Detection]) -> bool {
    detections.iter().any(|d| {
        d.fired
            && d.detector == sample.detector
            && (sample.detector != "pii"
                || d.details["types"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|k| k.as_str() == Some(sample.kind.as_str()))))
    })
}

fn main() -> Result<()> {
    let args = Args::parse();
    let raw = std::fs::read_to_string(&args.corpus).with_context(|| {
        format!(
            "cannot read {}: run `make eval` (it fetches the corpus first)",
            args.corpus.display()
        )
    })?;
    let mut samples = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        let sample: Sample = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", args.corpus.display(), i + 1))?;
        samples.push(sample);
    }
    if samples.is_empty() {
        bail!("{} is empty", args.corpus.display());
    }

    let engine = LocalProvider::new();
    let policy = policy();
    let splits: Vec<&str> = match args.split.as_str() {
        "both" => vec!["dev", "holdout"],
        s @ ("dev" | "holdout") => vec![s],
        other => bail!("--split must be dev, holdout or both, not {other}"),
    };
    let mut failed = false;
    let mut shown = std::collections::BTreeMap::new();
    for split in splits {
        let mut report = Report::default();
        for sample in samples.iter().filter(|s| s.split == split) {
            let started = Instant::now();
            let detections = engine.scan(&policy, &sample.text);
            let elapsed = started.elapsed();
            let fired: Vec<&str> = detections
                .iter()
                .filter(|d| d.fired && report::MEASURED.contains(&d.detector.as_str()))
                .map(|d| d.detector.as_str())
                .collect();
            let outcome = Outcome {
                detector: &sample.detector,
                kind: &sample.kind,
                source: &sample.source,
                positive: sample.label == 1,
                hit: hit(sample, &detections),
                fired,
                bytes: sample.text.len(),
                elapsed,
            };
            if split == "dev" && args.show > 0 {
                report::show(&mut shown, &outcome, &sample.text, &detections, args.show);
            }
            report.add(outcome);
        }
        failed |= report.print(split) && split == "holdout";
    }
    report::latency_10kb(&engine, &policy, &samples);
    if args.strict && failed {
        bail!("a holdout target was missed");
    }
    Ok(())
}
