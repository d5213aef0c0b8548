//! Parsing, rendering and the locked read-modify-write of client config files.

use serde_json::json;

use super::*;

fn add_key(name: &'static str) -> impl FnMut(&mut Map<String, Value>) -> Result<(), ShapeError> {
    move |doc| {
        doc.insert(name.into(), json!(true));
        Ok(())
    }
}

#[test]
fn invalid_json_is_located_by_line_and_column() {
    let err = parse(Path::new("/x/c.json"), b"{\n  \"a\": 1,\n  \"b\" 2\n}\n").expect_err("bad");
    match &err {
        ClientError::Malformed { line, column, .. } => {
            assert_eq!(*line, Some(3));
            assert!(column.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("/x/c.json, line 3, column"),
        "{message}"
    );
    assert!(message.contains("left unchanged"), "{message}");
}

#[test]
fn a_top_level_array_is_refused_where_it_starts() {
    let err = parse(Path::new("c.json"), b"\n\n  [1, 2]\n").expect_err("array");
    assert!(
        err.to_string()
            .contains("line 3, column 3: the top level is an array"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_located() {
    let err = parse(Path::new("c.json"), b"{\n\"a\": \"\xff\"}").expect_err("utf8");
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn blank_files_and_a_bom_are_accepted() {
    assert!(
        parse(Path::new("c.json"), b"  \n")
            .expect("blank")
            .is_empty()
    );
    let doc = parse(Path::new("c.json"), "\u{feff}{\"a\": 1}".as_bytes()).expect("bom");
    assert_eq!(doc.get("a"), Some(&json!(1)));
}

#[test]
fn render_keeps_the_original_indent_and_line_endings() {
    let doc = parse(Path::new("c"), b"{\"z\": 1, \"a\": {\"k\": 2}}").expect("doc");
    assert_eq!(
        String::from_utf8(render(&doc, None)).expect("utf8"),
        "{\n  \"z\": 1,\n  \"a\": {\n    \"k\": 2\n  }\n}\n"
    );
    let tabs = render(&doc, Some(b"{\n\t\"x\": 1\n}"));
    assert!(tabs.starts_with(b"{\n\t\"z\": 1,\n\t\"a\": {\n\t\t\"k\""));
    let four_crlf = render(&doc, Some(b"{\r\n    \"x\": 1\r\n}\r\n"));
    assert_eq!(
        String::from_utf8(four_crlf).expect("utf8"),
        "{\r\n    \"z\": 1,\r\n    \"a\": {\r\n        \"k\": 2\r\n    }\r\n}\r\n"
    );
}

#[test]
fn render_keeps_a_utf8_bom() {
    let doc = parse(Path::new("c"), "\u{feff}{\"a\": 1}".as_bytes()).expect("doc");
    let out = String::from_utf8(render(
        &doc,
        Some("\u{feff}{\n    \"a\": 1\n}\n".as_bytes()),
    ))
    .expect("utf8");
    assert_eq!(out, "\u{feff}{\n    \"a\": 1\n}\n");
    assert!(
        !String::from_utf8(render(&doc, None))
            .expect("utf8")
            .starts_with('\u{feff}')
    );
}

/// A file as Notepad on Windows saves it (BOM + CRLF) keeps both through a real edit.
#[test]
fn an_edit_keeps_bom_and_crlf_of_a_windows_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("claude_desktop_config.json");
    fs::write(&path, "\u{feff}{\r\n  \"theme\": \"dark\"\r\n}\r\n")?;
    let update = update_json_file(&path, WriteMode::Apply, add_key("added"))?;
    assert!(update.written);
    assert_eq!(
        fs::read_to_string(&path)?,
        "\u{feff}{\r\n  \"theme\": \"dark\",\r\n  \"added\": true\r\n}\r\n"
    );
    Ok(())
}

#[test]
fn a_no_op_edit_creates_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sub/c.json");
    let update = update_json_file(&path, WriteMode::Apply, |_| Ok(()))?;
    assert!(!update.changed && !update.written);
    assert!(!dir.path().join("sub").exists());
    Ok(())
}

#[test]
fn dry_run_reports_the_change_and_creates_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sub/c.json");
    let update = update_json_file(&path, WriteMode::DryRun, add_key("k"))?;
    assert!(update.changed && !update.written);
    assert_eq!(update.after.get("k"), Some(&json!(true)));
    assert!(!dir.path().join("sub").exists());
    Ok(())
}

#[test]
fn an_edit_keeps_key_order_and_backs_up() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("c.json");
    let original = "{\n  \"zeta\": 1,\n  \"alpha\": [1, 2],\n  \"mid\": {\"y\": 1, \"b\": 2}\n}\n";
    fs::write(&path, original)?;
    let update = update_json_file(&path, WriteMode::Apply, add_key("new"))?;
    assert!(update.written);
    let text = fs::read_to_string(&path)?;
    let keys: Vec<String> = serde_json::from_str::<Map<String, Value>>(&text)?
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["zeta", "alpha", "mid", "new"]);
    assert!(text.find("\"y\"") < text.find("\"b\""));
    let backup = update.backup.expect("backup");
    assert_eq!(fs::read_to_string(backup)?, original);
    assert!(lock_path(&path).exists());
    Ok(())
}

#[test]
fn a_shape_error_is_located_and_nothing_is_written() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("c.json");
    let original = "{\n  \"a\": 1,\n  \"mcpServers\": []\n}\n";
    fs::write(&path, original)?;
    let err = update_json_file(&path, WriteMode::Apply, |_| {
        Err(ShapeError {
            path: JsonPath::root().key("mcpServers"),
            detail: "wrong".into(),
        })
    })
    .expect_err("shape");
    assert!(err.to_string().contains(", line 3: wrong"), "{err}");
    assert_eq!(fs::read_to_string(&path)?, original);
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_even_when_the_folder_is_writable() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("c.json");
    fs::write(&path, "{}\n")?;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444))?;
    for mode in [WriteMode::Apply, WriteMode::DryRun] {
        let err = update_json_file(&path, mode, add_key("k")).expect_err("read-only");
        assert_eq!(err.code(), "client_config_read_only");
    }
    assert_eq!(fs::read_to_string(&path)?, "{}\n");
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_is_edited_at_its_target() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("dotfiles-c.json");
    let link = dir.path().join("c.json");
    fs::write(&target, "{}\n")?;
    std::os::unix::fs::symlink(&target, &link)?;
    update_json_file(&link, WriteMode::Apply, add_key("k"))?;
    assert!(fs::symlink_metadata(&link)?.file_type().is_symlink());
    assert!(fs::read_to_string(&target)?.contains("\"k\": true"));
    Ok(())
}
