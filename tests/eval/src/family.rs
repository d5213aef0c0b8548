//! Families measured apart from the fetched corpus:
//! - agent-directed injections in tool results (`tests/eval/data/agent_family.jsonl`, hand-written,
//!   see CORPORA.md), scored as a tool result would be, with the gateway's catalog of tool names,
//!   and without it (what the catalog adds);
//! - names and addresses in running text (`tests/eval/data/pii_running.jsonl`), recall per kind;
//! - an out-of-corpus benign set: every readable file under a directory (`/usr/share/doc`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use gateway_core::config::GuardrailPolicy;
use gateway_core::guardrails::local::LocalProvider;
use gateway_core::guardrails::local::agent::Catalog;
use serde::Deserialize;
use serde_json::Value;

const AGENT_RECALL: f64 = 0.90;
const BENIGN_FPR: f64 = 0.01;
const RUNNING_PII_RECALL: f64 = 0.90;

#[derive(Deserialize)]
struct AgentSample {
    text: String,
    label: u8,
    lang: String,
    carrier: String,
    tool: String,
    split: String,
}

#[derive(Default, Clone, Copy)]
struct Count {
    n: usize,
    k: usize,
}

impl Count {
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

fn fired(detections: &[gateway_core::guardrails::Detection], detector: &str) -> bool {
    detections.iter().any(|d| d.fired && d.detector == detector)
}

/// Whether injection_attack fired on its other signals (patterns, classifier): the engine before the
/// agent-directed rules.
fn without_agent_rules(detections: &[gateway_core::guardrails::Detection]) -> bool {
    detections.iter().any(|d| {
        d.detector == "injection_attack"
            && (d.details["score"].as_f64().unwrap_or(0.0)
                >= gateway_core::guardrails::local::injection::THRESHOLD
                || d.details["categories"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|x| x == "classifier")))
    })
}

/// The agent-directed tool-result family; returns whether a target was missed.
pub fn agent_family(
    engine: &LocalProvider,
    policy: &GuardrailPolicy,
    path: &Path,
    show: bool,
) -> Result<bool> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut lines = raw.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap_or("{}"))?;
    let catalog: Vec<String> = header["catalog"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .flat_map(|s| {
                    let bare = s.split_once("__").map_or(s, |(_, t)| t);
                    [s.to_string(), bare.to_string()]
                })
                .collect()
        })
        .unwrap_or_default();
    let samples = lines
        .map(serde_json::from_str::<AgentSample>)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}", path.display()))?;
    let mut missed = false;
    println!(
        "\n=== family: agent-directed injection in tool results ({}) ===",
        path.display()
    );
    println!("{:<44} {:>6} {:>6} {:>8}  target", "", "n", "fired", "rate");
    for split in ["dev", "holdout"] {
        if !samples.iter().any(|s| s.split == split) {
            continue;
        }
        let mut recall = Count::default();
        let mut recall_plain = Count::default();
        let mut recall_before = Count::default();
        let mut benign_before = Count::default();
        let mut benign = Count::default();
        let mut by: BTreeMap<String, Count> = BTreeMap::new();
        for s in &samples {
            if s.split != split {
                continue;
            }
            let cat = Catalog {
                tool: &s.tool,
                names: &catalog,
            };
            let detections = engine.scan_with(policy, &s.text, Some(&cat));
            let with = fired(&detections, "injection_attack");
            let before = without_agent_rules(&detections);
            let without = fired(&engine.scan(policy, &s.text), "injection_attack");
            if s.label == 1 {
                recall.add(with);
                recall_plain.add(without);
                recall_before.add(before);
                by.entry(format!("lang {}", s.lang)).or_default().add(with);
                by.entry(format!("carrier {}", s.carrier))
                    .or_default()
                    .add(with);
                if show && split == "dev" && !with {
                    println!(
                        "--- MISS [{} {}] {}",
                        s.lang,
                        s.carrier,
                        s.text.replace('\n', "⏎")
                    );
                }
            } else {
                benign.add(with);
                benign_before.add(before);
                if show && split == "dev" && with {
                    println!(
                        "--- FP [{} {}] {}",
                        s.lang,
                        s.carrier,
                        s.text.replace('\n', "⏎")
                    );
                }
            }
        }
        let ok = recall.rate() >= AGENT_RECALL;
        missed |= !ok && split == "holdout";
        println!(
            "{:<44} {:>6} {:>6} {:>8.3}  >= {AGENT_RECALL:.2} {}",
            format!("{split}: recall, with the catalog"),
            recall.n,
            recall.k,
            recall.rate(),
            if ok { "ok" } else { "MISSED" }
        );
        println!(
            "  {:<42} {:>6} {:>6} {:>8.3}",
            format!("{split}: recall, without the catalog"),
            recall_plain.n,
            recall_plain.k,
            recall_plain.rate()
        );
        println!(
            "  {:<42} {:>6} {:>6} {:>8.3}",
            format!("{split}: recall, without the agent rules"),
            recall_before.n,
            recall_before.k,
            recall_before.rate()
        );
        for (k, c) in &by {
            println!("  {:<42} {:>6} {:>6} {:>8.3}", k, c.n, c.k, c.rate());
        }
        println!(
            "  {:<42} {:>6} {:>6} {:>8.3}  (look-alike benign tool output)",
            format!("{split}: false positives"),
            benign.n,
            benign.k,
            benign.rate()
        );
        println!(
            "  {:<42} {:>6} {:>6} {:>8.3}",
            format!("{split}: false positives, without the agent rules"),
            benign_before.n,
            benign_before.k,
            benign_before.rate()
        );
    }
    Ok(missed)
}

#[derive(Deserialize)]
struct PiiSample {
    text: String,
    kind: String,
    lang: String,
    #[serde(default)]
    label: u8,
}

/// Names and addresses in running text (no field labels); returns whether a target was missed.
pub fn running_pii(
    engine: &LocalProvider,
    policy: &GuardrailPolicy,
    path: &Path,
    show: bool,
) -> Result<bool> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut by_kind: BTreeMap<String, Count> = BTreeMap::new();
    let mut by_lang: BTreeMap<String, Count> = BTreeMap::new();
    let mut benign = Count::default();
    for line in raw.lines() {
        let s: PiiSample = serde_json::from_str(line)?;
        let detections = engine.scan(policy, &s.text);
        let types: Vec<String> = detections
            .iter()
            .filter(|d| d.fired && d.detector == "pii")
            .flat_map(|d| {
                d.details["types"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|t| t.as_str().map(String::from))
            })
            .collect();
        if s.label == 0 {
            let any = types.iter().any(|t| t == "PERSON" || t == "ADDRESS");
            benign.add(any);
            if show && any {
                println!("--- FP [{}] {}", s.lang, s.text);
            }
            continue;
        }
        let hit = types.contains(&s.kind);
        by_kind.entry(s.kind.clone()).or_default().add(hit);
        by_lang
            .entry(format!("{} / {}", s.kind, s.lang))
            .or_default()
            .add(hit);
        if show && !hit {
            println!("--- MISS [{} {}] {}", s.kind, s.lang, s.text);
        }
    }
    println!(
        "\n=== family: names and addresses in running text ({}) ===",
        path.display()
    );
    let mut missed = false;
    for (kind, c) in &by_kind {
        let ok = c.rate() >= RUNNING_PII_RECALL;
        missed |= !ok;
        println!(
            "{:<44} {:>6} {:>6} {:>8.3}  >= {RUNNING_PII_RECALL:.2} {}",
            format!("recall {kind}"),
            c.n,
            c.k,
            c.rate(),
            if ok { "ok" } else { "MISSED" }
        );
    }
    for (k, c) in &by_lang {
        println!("  {:<42} {:>6} {:>6} {:>8.3}", k, c.n, c.k, c.rate());
    }
    println!(
        "  {:<42} {:>6} {:>6} {:>8.3}",
        "PERSON/ADDRESS on benign sentences",
        benign.n,
        benign.k,
        benign.rate()
    );
    Ok(missed)
}

/// Every readable text file under `dir` (gzip and binaries skipped, first 64 KB), as benign tool
/// output: injection firings with and without a catalog, and per detector.
pub fn benign_dir(
    engine: &LocalProvider,
    policy: &GuardrailPolicy,
    dir: &Path,
    catalog: &[String],
    show: bool,
) -> Result<bool> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut counts: BTreeMap<&str, Count> = BTreeMap::new();
    let mut n = 0;
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes.into_iter().take(64 * 1024).collect()) else {
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        n += 1;
        let cat = Catalog {
            tool: "read_file",
            names: catalog,
        };
        let detections = engine.scan_with(policy, &text, Some(&cat));
        for d in ["injection_attack", "pii", "secrets"] {
            let hit = fired(&detections, d);
            counts.entry(d).or_default().add(hit);
            if show && hit && d == "injection_attack" {
                let reason = detections
                    .iter()
                    .find(|x| x.detector == d)
                    .and_then(|x| x.reason.clone())
                    .unwrap_or_default();
                println!("--- FP {} {reason}", f.display());
            }
        }
    }
    println!(
        "\n=== out-of-corpus benign: {} readable files under {} (scanned as a tool result, with a catalog) ===",
        n,
        dir.display()
    );
    let mut missed = false;
    for (d, c) in &counts {
        let note = if *d == "injection_attack" {
            let ok = c.rate() <= BENIGN_FPR;
            missed |= !ok;
            if ok {
                "  <= 0.01 ok"
            } else {
                "  <= 0.01 MISSED"
            }
        } else {
            "  (informational: real addresses, keys in examples)"
        };
        println!("  {:<42} {:>6} {:>6} {:>8.4}{note}", d, c.n, c.k, c.rate());
    }
    Ok(missed)
}

/// Leave-one-source-out: for every `<source>.bin` in `dir` (written by `train.py --leave-out
/// <source>`, `/` as `_`), the engine with that classifier scores every sample of the left-out source
/// (dev and holdout: the model saw neither) and the holdout benign text; `show` prints the left-out
/// source's dev misses. Returns whether a target was missed.
pub fn loso(
    dir: &Path,
    samples: &[crate::Sample],
    policy: &GuardrailPolicy,
    show: bool,
) -> Result<bool> {
    let mut models: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    models.sort();
    if models.is_empty() {
        return Ok(false);
    }
    println!(
        "\n=== leave-one-source-out: classifier retrained without the source (scripts/eval/train.py --leave-out) ==="
    );
    println!(
        "{:<44} {:>6} {:>6} {:>8}  benign FPR (holdout)",
        "left-out source: injection recall", "n", "hits", "recall"
    );
    let mut missed = false;
    for path in models {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .replacen('_', "/", 1);
        let bytes: &'static [u8] = Box::leak(std::fs::read(&path)?.into_boxed_slice());
        let model = gateway_core::guardrails::local::classifier::Model::parse(bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let engine = LocalProvider::with_model(model);
        let mut recall = Count::default();
        let mut classifier_only = Count::default();
        let mut benign = Count::default();
        for s in samples {
            let of_source = s.source == name || s.source.starts_with(&format!("{name}/"));
            if s.detector == "injection_attack" && s.label == 1 && of_source {
                let d = engine.scan(policy, &s.text);
                let hit = fired(&d, "injection_attack");
                recall.add(hit);
                if show && !hit && s.split == "dev" {
                    println!("--- LOSO MISS [{}] {}", s.source, s.text.replace('\n', "⏎"));
                }
                classifier_only.add(d.iter().any(|x| {
                    x.detector == "injection_attack"
                        && x.details["categories"]
                            .as_array()
                            .is_some_and(|c| c.iter().any(|v| v == "classifier"))
                }));
            } else if s.detector == "none" && s.split == "holdout" {
                benign.add(fired(&engine.scan(policy, &s.text), "injection_attack"));
            }
        }
        let ok = recall.rate() >= 0.90;
        missed |= !ok;
        println!(
            "{:<44} {:>6} {:>6} {:>8.3}  {:.4} {}",
            name,
            recall.n,
            recall.k,
            recall.rate(),
            benign.rate(),
            if ok { "ok" } else { "MISSED (target 0.90)" }
        );
        println!(
            "  {:<42} {:>6} {:>6} {:>8.3}",
            "of which the classifier alone",
            classifier_only.n,
            classifier_only.k,
            classifier_only.rate()
        );
    }
    Ok(missed)
}
