//! `gateway-core client install|uninstall|status` against real files in a temporary HOME, for every
//! client: the real binary writes only our entry, keeps everything else (values and key order), is
//! idempotent, refuses malformed and read-only files without touching them, writes nothing in a dry
//! run, and survives concurrent writers and `kill -9` at any point (the file is always the old or the
//! new version). Children for the concurrency and crash tests are this test binary re-executed with
//! `CLIENT_INSTALL_TEST_ROLE` set (see `child_role`).
#![cfg(unix)]

#[path = "common/client_sandbox.rs"]
mod sandbox;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use gateway_core::clients::{self, Context, Os, PathEnv, WriteMode};
use gateway_core::secret::Sensitive;
use sandbox::{
    CLIENTS, Client, ENTRY, KEY, Rng, Sandbox, backups, busy_document, clean, expected_entry,
    large_claude_code_file, read_json, siblings, stderr, stdout, succeed, without_entry,
};
use serde_json::{Value, json};

const ROLE: &str = "CLIENT_INSTALL_TEST_ROLE";

#[test]
fn install_creates_a_missing_file_with_only_our_entry() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        ensure!(!file.exists());
        let out = sb.install(client)?;
        ensure!(stdout(&out).contains(ENTRY), "{}", stdout(&out));
        ensure!(
            stdout(&out).contains("does not seem to be installed"),
            "not detected before"
        );
        let want = json!({ client.top: { ENTRY: expected_entry(client, &sb.config, KEY)? } });
        let text = fs::read_to_string(&file)?;
        ensure!(read_json(&file)? == want, "{}: {text}", client.id);
        // 2-space pretty print with a final newline; private, since it holds the key.
        ensure!(text == format!("{}\n", serde_json::to_string_pretty(&want)?));
        ensure!(fs::metadata(&file)?.permissions().mode() & 0o777 == 0o600);
        ensure!(
            backups(&file)?.is_empty(),
            "no backup of a file that did not exist"
        );
    }
    Ok(())
}

#[test]
fn install_keeps_other_servers_and_unrelated_keys_in_value_and_order() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        let original = busy_document(client.top);
        let seeded = sb.seed(client, &original)?;
        sb.install(client)?;
        let now = read_json(&file)?;
        // Same values in the same order: compare the compact serialization (serde_json keeps order).
        ensure!(
            serde_json::to_string(&without_entry(&now, client.top))?
                == serde_json::to_string(&original)?,
            "{}: other content changed:\n{now:#}",
            client.id
        );
        let servers = now[client.top].as_object().context("servers")?;
        ensure!(servers.keys().next_back().map(String::as_str) == Some(ENTRY));
        ensure!(servers[ENTRY] == expected_entry(client, &sb.config, KEY)?);
        let backup = backups(&file)?;
        ensure!(backup.len() == 1, "{backup:?}");
        let backup_path = file.with_file_name(&backup[0]);
        ensure!(
            fs::read(backup_path)? == seeded,
            "the backup is the previous file"
        );
    }
    Ok(())
}

#[test]
fn installing_twice_changes_nothing_and_makes_no_backup() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        sb.seed(client, &busy_document(client.top))?;
        sb.install(client)?;
        let (bytes, modified) = (fs::read(&file)?, fs::metadata(&file)?.modified()?);
        let files = siblings(&file)?;
        let out = sb.install(client)?;
        ensure!(
            stdout(&out).contains("already installed and up to date"),
            "{}",
            stdout(&out)
        );
        ensure!(fs::read(&file)? == bytes);
        ensure!(
            fs::metadata(&file)?.modified()? == modified,
            "not rewritten"
        );
        ensure!(siblings(&file)? == files, "no new backup");
    }
    Ok(())
}

#[test]
fn uninstall_removes_only_our_entry() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        let seeded = sb.seed(client, &busy_document(client.top))?;
        sb.install(client)?;
        let out = succeed(sb.client(&["uninstall", "--client", client.id])?)?;
        ensure!(stdout(&out).contains("Removed"), "{}", stdout(&out));
        // The original was 2-space pretty-printed, so removal restores it byte for byte.
        ensure!(fs::read(&file)? == seeded, "{}", fs::read_to_string(&file)?);
        ensure!(backups(&file)?.len() == 2, "one backup per write");
        // Again: nothing to remove, nothing written.
        let out = succeed(sb.client(&["uninstall", "--client", client.id])?)?;
        ensure!(stdout(&out).contains("nothing to do"));
        ensure!(backups(&file)?.len() == 2);
    }
    Ok(())
}

#[test]
fn uninstalling_the_last_entry_leaves_an_empty_servers_object() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        sb.install(client)?;
        succeed(sb.client(&["uninstall", "--client", client.id])?)?;
        ensure!(read_json(&sb.file(client))? == json!({ client.top: {} }));
    }
    Ok(())
}

#[test]
fn uninstall_without_a_file_creates_nothing() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        succeed(sb.client(&["uninstall", "--client", client.id])?)?;
        ensure!(!sb.file(client).exists());
    }
    Ok(())
}

fn status_json(sb: &Sandbox, client: &Client, config: &Path) -> Result<Value> {
    let out = sb.client_with_config(&["status", "--client", client.id, "--json"], config)?;
    Ok(serde_json::from_str(&stdout(&succeed(out)?))?)
}

#[test]
fn status_goes_from_not_installed_to_up_to_date_to_stale_when_the_config_moves() -> Result<()> {
    let sb = Sandbox::new()?;
    let moved = sb.root.join("elsewhere").join("moved_config.json");
    fs::create_dir_all(moved.parent().context("parent")?)?;
    fs::copy(&sb.config, &moved)?;
    for client in &CLIENTS {
        let s = status_json(&sb, client, &sb.config)?;
        ensure!(
            s["installed"] == false && s["state"] == "not_installed",
            "{s:#}"
        );
        ensure!(s["path"] == json!(sb.file(client)), "{s:#}");
        sb.install(client)?;
        let s = status_json(&sb, client, &sb.config)?;
        ensure!(
            s["installed"] == true && s["state"] == "up_to_date",
            "{s:#}"
        );
        ensure!(s["detected"] == true, "the file itself counts as detection");

        let s = status_json(&sb, client, &moved)?;
        ensure!(s["state"] == "stale", "{s:#}");
        ensure!(s["stale"][0]["field"] == "config_path", "{s:#}");
        ensure!(s["stale"][0]["expected"] == json!(moved), "{s:#}");
        let human = succeed(sb.client_with_config(&["status", "--client", client.id], &moved)?)?;
        ensure!(stdout(&human).contains("stale") && stdout(&human).contains(client.name));

        let out = succeed(sb.client_with_config(&["install", "--client", client.id], &moved)?)?;
        ensure!(stdout(&out).contains("Updated"), "{}", stdout(&out));
        ensure!(status_json(&sb, client, &moved)?["state"] == "up_to_date");
    }
    Ok(())
}

#[test]
fn status_reports_a_moved_binary_and_another_key_without_showing_keys() -> Result<()> {
    let sb = Sandbox::new()?;
    let other_key = "another-gateway-key-9876543210zyxw";
    for client in &CLIENTS {
        let mut entry = expected_entry(client, &sb.config, other_key)?;
        entry["command"] = json!("/old/place/gateway-core");
        sb.seed(client, &json!({ client.top: { ENTRY: entry } }))?;
        let out = succeed(sb.client(&["status", "--client", client.id, "--json"])?)?;
        ensure!(!stdout(&out).contains(other_key), "a key was printed");
        let s: Value = serde_json::from_str(&stdout(&out))?;
        let fields: Vec<&str> = s["stale"]
            .as_array()
            .context("stale")?
            .iter()
            .filter_map(|r| r["field"].as_str())
            .collect();
        ensure!(fields == ["command", "gateway_key"], "{s:#}");
        ensure!(s["stale"][0]["found"] == "/old/place/gateway-core");
        ensure!(s["stale"][1]["found"] == "…zyxw", "masked: {s:#}");
    }
    Ok(())
}

#[test]
fn status_all_lists_every_client_and_which_are_detected() -> Result<()> {
    let sb = Sandbox::new()?;
    fs::create_dir_all(sb.home.join(".cursor"))?;
    let out = succeed(sb.client(&["status", "--client", "all"])?)?;
    let text = stdout(&out);
    for client in &CLIENTS {
        let line = text
            .lines()
            .find(|l| l.starts_with(client.name))
            .with_context(|| format!("{} missing:\n{text}", client.name))?;
        let detected = if client.id == "cursor" { "yes" } else { "no" };
        ensure!(
            line.contains(detected) && line.contains("not installed"),
            "{line}"
        );
    }
    let out = succeed(sb.client(&["status", "--json"])?)?;
    let all: Value = serde_json::from_str(&stdout(&out))?;
    ensure!(
        all.as_array().map(Vec::len) == Some(CLIENTS.len()),
        "{all:#}"
    );
    Ok(())
}

#[test]
fn a_stale_entry_is_updated_in_place_keeping_what_the_user_added_to_it() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let mut doc = busy_document(client.top);
        let servers = doc[client.top].as_object_mut().context("servers")?;
        let mut servers_with_ours = serde_json::Map::new();
        for (i, (name, value)) in servers.iter().enumerate() {
            servers_with_ours.insert(name.clone(), value.clone());
            if i == 0 {
                let old = json!({"command": "/old/gateway-core", "args": ["--config", "/old.json"],
                    "env": {"ENKRYPT_GATEWAY_KEY": "old", "EXTRA": "kept"}, "disabled": false});
                servers_with_ours.insert(ENTRY.into(), old);
            }
        }
        *servers = servers_with_ours;
        sb.seed(client, &doc)?;
        let out = sb.install(client)?;
        ensure!(stdout(&out).contains("Updated"), "{}", stdout(&out));
        let now = read_json(&sb.file(client))?;
        let names: Vec<&String> = now[client.top]
            .as_object()
            .context("servers")?
            .keys()
            .collect();
        ensure!(
            names.get(1).map(|s| s.as_str()) == Some(ENTRY),
            "position kept: {names:?}"
        );
        let ours = &now[client.top][ENTRY];
        ensure!(ours["command"] == json!(sandbox::gateway_binary()?));
        ensure!(
            ours["env"] == json!({"ENKRYPT_GATEWAY_KEY": KEY, "EXTRA": "kept"}),
            "{ours}"
        );
        ensure!(ours["disabled"] == false);
        ensure!((ours["type"] == "stdio") == client.typed);
        ensure!(without_entry(&now, client.top) == without_entry(&doc, client.top));
    }
    Ok(())
}

#[test]
fn a_malformed_file_is_left_byte_identical_and_the_error_names_file_and_line() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        fs::create_dir_all(file.parent().context("parent")?)?;
        let invalid = "{\n  \"a\": 1,\n  \"b\": oops\n}\n".to_owned();
        let wrong_type = format!("{{\n  \"a\": 1,\n  \"{}\": [\n  ]\n}}\n", client.top);
        for (bad, needle) in [(&invalid, "not valid JSON"), (&wrong_type, client.top)] {
            fs::write(&file, bad)?;
            for args in [
                &["install", "--client", client.id][..],
                &["uninstall", "--client", client.id][..],
                &["install", "--client", client.id, "--dry-run"][..],
                &["status", "--client", client.id][..],
            ] {
                let out = sb.client(args)?;
                ensure!(!out.status.success(), "{args:?} must fail on {bad}");
                let all = format!("{}{}", stdout(&out), stderr(&out));
                let at = format!("{}, line 3", file.display());
                ensure!(all.contains(&at) && all.contains(needle), "{args:?}: {all}");
                ensure!(fs::read_to_string(&file)? == *bad, "file untouched");
                ensure!(siblings(&file)?.is_empty(), "no backup, lock or temp file");
            }
        }
    }
    Ok(())
}

#[test]
fn a_read_only_file_is_refused_and_kept() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        let seeded = sb.seed(client, &busy_document(client.top))?;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444))?;
        let out = sb.client(&["install", "--client", client.id])?;
        ensure!(!out.status.success());
        let err = stderr(&out);
        ensure!(
            err.contains("read-only") && err.contains(&file.display().to_string()),
            "{err}"
        );
        ensure!(fs::read(&file)? == seeded);
        ensure!(backups(&file)?.is_empty());
        ensure!(fs::metadata(&file)?.permissions().mode() & 0o777 == 0o444);
    }
    Ok(())
}

#[test]
fn dry_run_writes_nothing() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        let file = sb.file(client);
        let out = succeed(sb.client(&["install", "--client", client.id, "--dry-run"])?)?;
        let text = stdout(&out);
        ensure!(
            text.contains("Would create") && text.contains("nothing was written"),
            "{text}"
        );
        ensure!(
            text.contains("…cdef"),
            "the entry is shown with the key masked: {text}"
        );
        ensure!(!file.exists(), "no file");
        ensure!(siblings(&file)?.is_empty(), "no lock file");
        if client.id != "claude-code" {
            ensure!(!file.parent().context("parent")?.exists(), "no folder");
        }

        let seeded = sb.seed(client, &busy_document(client.top))?;
        let out = succeed(sb.client(&["install", "--client", client.id, "--dry-run"])?)?;
        ensure!(stdout(&out).contains("Would add"), "{}", stdout(&out));
        ensure!(fs::read(&file)? == seeded && siblings(&file)?.is_empty());

        sb.install(client)?;
        let installed = fs::read(&file)?;
        let files = siblings(&file)?;
        let out = succeed(sb.client(&["uninstall", "--client", client.id, "--dry-run"])?)?;
        ensure!(stdout(&out).contains("Would remove"), "{}", stdout(&out));
        ensure!(fs::read(&file)? == installed && siblings(&file)? == files);
    }
    Ok(())
}

#[test]
fn json_output_is_a_typed_report_and_errors_carry_a_code() -> Result<()> {
    let sb = Sandbox::new()?;
    let client = &CLIENTS[1];
    let out = succeed(sb.client(&["install", "--client", client.id, "--json"])?)?;
    let report: Value = serde_json::from_str(&stdout(&out))?;
    ensure!(
        report["change"] == "created_file" && report["written"] == true,
        "{report:#}"
    );
    ensure!(
        report["detected"] == false && report["dry_run"] == false,
        "{report:#}"
    );
    ensure!(
        report["entry"]["env"]["ENKRYPT_GATEWAY_KEY"] == "…cdef",
        "{report:#}"
    );
    fs::write(sb.file(client), "[")?;
    let out = sb.client(&["install", "--client", client.id, "--json"])?;
    ensure!(!out.status.success());
    let error: Value = serde_json::from_str(&stdout(&out))?;
    ensure!(
        error["error"]["code"] == "client_config_malformed",
        "{error:#}"
    );
    Ok(())
}

#[test]
fn a_missing_gateway_config_is_a_clear_error_and_nothing_is_written() -> Result<()> {
    let sb = Sandbox::new()?;
    let missing = sb.root.join("nope.json");
    for client in &CLIENTS {
        let out = sb.client_with_config(&["install", "--client", client.id], &missing)?;
        ensure!(!out.status.success());
        ensure!(
            stderr(&out).contains("config file not found"),
            "{}",
            stderr(&out)
        );
        ensure!(!sb.file(client).exists());
    }
    Ok(())
}

/// Re-executes this test binary in a child role (see `child_role`).
fn child(role: &str, vars: &[(&str, &Path)]) -> Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["--exact", "child_role", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .stdout(std::process::Stdio::null());
    for (name, value) in vars {
        cmd.env(name, value);
    }
    Ok(cmd)
}

fn var(name: &str) -> Result<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} not set"))
}

/// The crash test's writer: installs into Claude Code's file under `CHILD_HOME`, via the library.
fn crash_writer_context(home: PathBuf, config: PathBuf) -> Context {
    Context {
        os: Os::current(),
        env: PathEnv::from_lookup(|name| (name == "HOME").then(|| home.clone().into_os_string())),
        gateway_binary: PathBuf::from("/opt/enkrypt/bin/gateway-core"),
        gateway_args: Vec::new(),
        gateway_config: config,
        gateway_key: Some(Sensitive::new(KEY.to_owned())),
        key_delivery: clients::KeyDelivery::Plain,
    }
}

/// Not a test on its own: the body of child processes, selected by `CLIENT_INSTALL_TEST_ROLE`.
#[test]
fn child_role() -> Result<()> {
    let Ok(role) = std::env::var(ROLE) else {
        return Ok(());
    };
    match role.as_str() {
        // Adds server `CHILD_NAME` to `CHILD_FILE` under `CHILD_TOP`, the way another cooperating tool
        // (e.g. the desktop app) would: through the locked read-modify-write.
        "add-server" => {
            let (file, name, top) = (var("CHILD_FILE")?, var("CHILD_NAME")?, var("CHILD_TOP")?);
            let (name, top) = (name.to_string_lossy(), top.to_string_lossy());
            clients::edit::update_json_file(&file, WriteMode::Apply, |doc| {
                let servers = doc.entry(top.to_string()).or_insert_with(|| json!({}));
                if let Some(servers) = servers.as_object_mut() {
                    servers.insert(
                        name.to_string(),
                        json!({"command": "srv", "args": [&*name]}),
                    );
                }
                Ok(())
            })?;
        }
        "crash-writer" => {
            let ctx = crash_writer_context(var("CHILD_HOME")?, var("CHILD_CONFIG")?);
            let client = clients::lookup("claude-code")?;
            clients::install(client, &ctx, WriteMode::Apply)?;
        }
        other => bail!("unknown child role {other}"),
    }
    Ok(())
}

#[test]
fn concurrent_installs_and_edits_of_the_same_files_keep_every_entry() -> Result<()> {
    let sb = Sandbox::new()?;
    for client in &CLIENTS {
        sb.seed(client, &busy_document(client.top))?;
    }
    let mut children: Vec<(String, Child)> = Vec::new();
    // 8 CLI installs: every client, three of them twice.
    for client in CLIENTS.iter().chain(&CLIENTS[2..]) {
        let mut cmd = sb.command();
        cmd.args(["client", "install", "--client", client.id, "--config"])
            .arg(&sb.config)
            .stdout(std::process::Stdio::null());
        children.push((format!("install {}", client.id), cmd.spawn()?));
    }
    // 3 foreign servers per file, added concurrently by other processes honouring the lock.
    for client in &CLIENTS {
        for i in 0..3 {
            let file = sb.file(client);
            let name = PathBuf::from(format!("concurrent-{i}"));
            let top = PathBuf::from(client.top);
            let vars = [
                ("CHILD_FILE", &*file),
                ("CHILD_NAME", &*name),
                ("CHILD_TOP", &*top),
            ];
            children.push((
                format!("add {i} to {}", client.id),
                child("add-server", &vars)?.spawn()?,
            ));
        }
    }
    for (what, mut process) in children {
        let status = process.wait()?;
        ensure!(status.success(), "{what}: {status}");
    }
    for client in &CLIENTS {
        let doc = read_json(&sb.file(client))?;
        let servers = doc[client.top].as_object().context("servers")?;
        ensure!(servers.get(ENTRY) == Some(&expected_entry(client, &sb.config, KEY)?));
        for i in 0..3 {
            ensure!(
                servers.contains_key(&format!("concurrent-{i}")),
                "{}: {doc:#}",
                client.id
            );
        }
        let original = busy_document(client.top);
        let mut now = without_entry(&doc, client.top);
        for i in 0..3 {
            if let Some(s) = now[client.top].as_object_mut() {
                s.shift_remove(&format!("concurrent-{i}"));
            }
        }
        ensure!(serde_json::to_string(&now)? == serde_json::to_string(&original)?);
    }
    Ok(())
}

#[test]
fn kill_9_at_any_point_leaves_the_old_or_the_new_file() -> Result<()> {
    const TRIALS: usize = 200;
    let sb = Sandbox::new()?;
    let old = large_claude_code_file()?;
    ensure!(old.len() > 500_000, "large: {} bytes", old.len());
    let config = sb.config.clone();

    // The expected new version: the same install, in-process, on a copy elsewhere.
    let reference_home = sb.root.join("reference-home");
    fs::create_dir_all(&reference_home)?;
    fs::write(reference_home.join(".claude.json"), &old)?;
    let ctx = crash_writer_context(reference_home.clone(), config.clone());
    clients::install(clients::lookup("claude-code")?, &ctx, WriteMode::Apply)?;
    let new = fs::read(reference_home.join(".claude.json"))?;
    ensure!(new != old);

    let home = sb.root.join("crash-home");
    fs::create_dir_all(&home)?;
    let file = home.join(".claude.json");
    let vars = [("CHILD_HOME", &*home), ("CHILD_CONFIG", &*config)];
    // Calibrate: how long one uninterrupted child run takes on this machine.
    fs::write(&file, &old)?;
    let started = Instant::now();
    let status = child("crash-writer", &vars)?.status()?;
    let full = started.elapsed();
    ensure!(
        status.success() && fs::read(&file)? == new,
        "an uninterrupted run writes the new file"
    );

    let seed = std::env::var("CLIENT_INSTALL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CAFE_F00D_u64);
    let mut rng = Rng(seed | 1);
    let window = (full.as_micros() as u64).saturating_mul(12) / 10;
    let (mut saw_old, mut saw_new) = (0, 0);
    for trial in 0..TRIALS {
        clean(&home, &[".claude.json", ".claude.json.enkrypt-lock"])?;
        fs::write(&file, &old)?;
        let delay = Duration::from_micros(rng.below(window));
        let mut writer = child("crash-writer", &vars)?.spawn()?;
        // The deliberate random kill point (the only sleep in these tests).
        std::thread::sleep(delay);
        let _ = writer.kill(); // SIGKILL; an already finished child is fine.
        writer.wait()?;
        let now = fs::read(&file)?;
        serde_json::from_slice::<Value>(&now)
            .with_context(|| format!("trial {trial} (seed {seed}, delay {delay:?}): unparsable"))?;
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            bail!("trial {trial} (seed {seed}, delay {delay:?}): neither old nor new");
        }
    }
    eprintln!("{TRIALS} kills over {window} µs (full run {full:?}): old {saw_old}, new {saw_new}");
    ensure!(
        saw_old > 0 && saw_new > 0,
        "kills landed before and after the rename"
    );
    Ok(())
}
