//! `make eval`: runs the offline guardrail engine (`LocalProvider::scan`) over the corpus that
//! `scripts/eval/fetch.py` builds from registry packages, and prints recall per detector on its positives,
//! the false-positive rate on benign text (any detector, and per detector), and scan time per KB.
//!
//! Dev and holdout splits are reported apart: tuning looks at dev only, so holdout stays an honest
//! estimate. This crate only measures; it owns no detection logic.

mod family;
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
    pub split: String,
    /// Print up to N misses and false positives of the dev split (for tuning; never holdout).
    #[arg(long, default_value_t = 0)]
    show: usize,
    /// Exit non-zero when a holdout target is missed.
    #[arg(long)]
    strict: bool,
    /// The hand-written agent-directed tool-result families (each skipped when absent;
    /// comma-separated): the first was used while writing `local/agent.rs`, the second (`_fresh`)
    /// was written before the 2026-12-08 rule changes and is never tuned on.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "tests/eval/data/agent_family.jsonl,tests/eval/data/agent_family_fresh.jsonl"
    )]
    agent_family: Vec<PathBuf>,
    /// Names and addresses in running text (each skipped when absent; comma-separated): the first
    /// family was used while writing `local/running.rs`, the second (`_fresh`) was looked at in a
    /// later session, the third (`_third`) was written after the last rule change and never tuned on.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "tests/eval/data/pii_running.jsonl,tests/eval/data/pii_running_fresh.jsonl,tests/eval/data/pii_running_third.jsonl"
    )]
    pii_running: Vec<PathBuf>,
    /// A directory of out-of-corpus benign text (skipped when absent; "" to skip).
    #[arg(long, default_value = "/usr/share/doc")]
    benign_dir: PathBuf,
    /// Leave-one-source-out classifiers (`train.py --leave-out SOURCE --out DIR/SOURCE.bin`, `/` as
    /// `_`); skipped when absent.
    #[arg(long, default_value = ".cache/eval/loso")]
    loso_dir: PathBuf,
    /// Print the misses and false positives of the families (their dev halves for the agent family
    /// and the leave-one-source-out sources).
    #[arg(long)]
    show_families: bool,
    /// Only the families (agent-directed, running-text PII, benign directory, leave-one-source-out),
    /// not the corpus splits nor the timing (for quick iteration).
    #[arg(long)]
    families_only: bool,
    /// Only time the 10 KB scans, this many times each (for profiling the engine).
    #[arg(long)]
    speed_only: Option<usize>,
}

/// One corpus line.
#[derive(Deserialize)]
pub struct Sample {
    pub text: String,
    pub label: u8,
    pub detector: String,
    pub kind: String,
    pub source: String,
    pub split: String,
}

/// The policy of the headline figures: `pii` narrowed to the entities measured before `pii` took
/// Enkrypt's full list (no `url`, which fires on every link by design, and `secrets`, counted under
/// its own detector), so the figures stay comparable between runs.
fn policy() -> GuardrailPolicy {
    let mut additional_config = serde_json::Map::new();
    additional_config.insert(
        "pii_entities".into(),
        serde_json::json!(["pii", "email", "phone", "ip_address"]),
    );
    GuardrailPolicy {
        enabled: true,
        block: ["injection_attack", "pii", "secrets"]
            .map(String::from)
            .to_vec(),
        additional_config,
        ..GuardrailPolicy::default()
    }
}

/// `block: ["pii"]` with Enkrypt's default entities: how secrets fare when only `pii` is listed.
fn pii_only_policy() -> GuardrailPolicy {
    GuardrailPolicy {
        enabled: true,
        block: vec!["pii".to_string()],
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
    if let Some(rounds) = args.speed_only {
        report::latency_10kb(&engine, &policy, &samples, rounds.max(1));
        return Ok(());
    }
    let pii_only = pii_only_policy();
    let splits: Vec<&str> = match args.split.as_str() {
        "both" => vec!["dev", "holdout"],
        s @ ("dev" | "holdout") => vec![s],
        other => bail!("--split must be dev, holdout or both, not {other}"),
    };
    let mut failed = false;
    let mut shown = std::collections::BTreeMap::new();
    for split in splits.into_iter().filter(|_| !args.families_only) {
        let mut report = Report::default();
        let mut url_benign = (0usize, 0usize);
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
            if sample.detector == "secrets" && sample.label == 1 {
                let via_pii = engine.scan(&pii_only, &sample.text).iter().any(|d| {
                    d.fired
                        && d.detector == "pii"
                        && d.details["types"]
                            .as_array()
                            .is_some_and(|t| t.iter().any(|k| k == "SECRET"))
                });
                report.add(Outcome {
                    detector: "secrets via pii",
                    kind: &sample.kind,
                    source: &sample.source,
                    positive: true,
                    hit: via_pii,
                    fired: vec![],
                    bytes: 0,
                    elapsed: std::time::Duration::ZERO,
                });
            }
            if sample.detector == "none" {
                url_benign.0 += 1;
                let url = engine.scan(&pii_only, &sample.text).iter().any(|d| {
                    d.fired
                        && d.detector == "pii"
                        && d.details["types"]
                            .as_array()
                            .is_some_and(|t| t.iter().any(|k| k == "URL"))
                });
                url_benign.1 += usize::from(url);
            }
        }
        failed |= report.print(split) && split == "holdout";
        println!(
            "  {:<42} {:>6} {:>6} {:>8.4}  (informational: the `url` entity fires on any link)",
            "benign with a URL (pii default entities)",
            url_benign.0,
            url_benign.1,
            url_benign.1 as f64 / url_benign.0.max(1) as f64
        );
    }
    if args.loso_dir.is_dir() {
        failed |= family::loso(&args.loso_dir, &samples, &policy, args.show_families)?;
    }
    for path in args.agent_family.iter().filter(|p| p.exists()) {
        failed |= family::agent_family(&engine, &policy, path, args.show_families)?;
    }
    for path in args.pii_running.iter().filter(|p| p.exists()) {
        failed |= family::running_pii(&engine, &policy, path, args.show_families)?;
    }
    if !args.benign_dir.as_os_str().is_empty() && args.benign_dir.is_dir() {
        let catalog: Vec<String> = [
            "delete_file",
            "write_file",
            "send_email",
            "http_request",
            "execute_sql",
            "run_command",
            "share_file",
            "create_issue",
            "forward_email",
            "post_message",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        failed |= family::benign_dir(
            &engine,
            &policy,
            &args.benign_dir,
            &catalog,
            args.show_families,
        )?;
    }
    if !args.families_only {
        report::latency_10kb(&engine, &policy, &samples, 300);
    }
    if args.strict && failed {
        bail!("a holdout target was missed");
    }
    Ok(())
}
