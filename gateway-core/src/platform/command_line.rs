//! Windows command lines: how a program splits its command line into arguments (the Microsoft C
//! runtime / `CommandLineToArgvW` rules), and quoting that survives that split.
//!
//! Where this matters:
//! - The autostart `Run` registry value is one command line: the app's path (which contains spaces under
//!   `%LOCALAPPDATA%\Enkrypt Secure MCP Gateway\`, and often in the user name) must be quoted, or Windows
//!   tries `C:\Users\John.exe` first ([`super::autostart`]).
//! - Client entries (`command` + JSON `args` array) need NO quoting: the client hands them to Node's
//!   `child_process.spawn`, whose libuv quotes each argument by exactly these rules. The entry therefore
//!   holds the plain path, backslashes and spaces as they are; a test builds a real entry and checks
//!   that the command line libuv would make splits back into it.

/// Quotes one argument (not the program) so that [`split`] returns it unchanged.
pub fn quote_arg(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '\n', '\u{b}', '"']) {
        return arg.to_owned();
    }
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('"');
    let mut backslashes = 0usize;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                // Backslashes before a quote are doubled, and the quote itself escaped.
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    // Backslashes before the closing quote are doubled.
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    out
}

/// The program part of a command line: always quoted (the first token is split at the next quote, with
/// no backslash escapes; a path cannot contain `"`, so quoting is always safe).
pub fn quote_program(program: &str) -> String {
    format!("\"{program}\"")
}

/// A whole command line: the quoted program, then each argument quoted as needed.
pub fn join(program: &str, args: &[&str]) -> String {
    let mut line = quote_program(program);
    for arg in args {
        line.push(' ');
        line.push_str(&quote_arg(arg));
    }
    line
}

/// Splits a command line as the Microsoft C runtime does: the program up to the next space (or between
/// quotes), then arguments separated by blanks, where `2n` backslashes + `"` give `n` backslashes and
/// toggle quoting, `2n+1` backslashes + `"` give `n` backslashes and a literal quote, and `""` inside
/// quotes is a literal quote.
pub fn split(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut args = Vec::new();
    // argv[0]
    let mut program = String::new();
    if chars.first() == Some(&'"') {
        i = 1;
        while i < chars.len() && chars[i] != '"' {
            program.push(chars[i]);
            i += 1;
        }
        i += 1;
    } else {
        while i < chars.len() && !matches!(chars[i], ' ' | '\t') {
            program.push(chars[i]);
            i += 1;
        }
    }
    args.push(program);
    loop {
        while i < chars.len() && matches!(chars[i], ' ' | '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let start = i;
                while i < chars.len() && chars[i] == '\\' {
                    i += 1;
                }
                let n = i - start;
                if i < chars.len() && chars[i] == '"' {
                    arg.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        arg.push('"');
                        i += 1;
                    }
                } else {
                    arg.extend(std::iter::repeat_n('\\', n));
                }
                continue;
            }
            if c == '"' {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    arg.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
                continue;
            }
            if !quoted && matches!(c, ' ' | '\t') {
                break;
            }
            arg.push(c);
            i += 1;
        }
        args.push(arg);
    }
    args
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::clients::entry::{Context, build_entry};
    use crate::clients::find;
    use crate::clients::paths::{Os, PathEnv};
    use crate::secret::Sensitive;

    const APP: &str =
        r"C:\Users\John Smith\AppData\Local\Enkrypt Secure MCP Gateway\enkrypt-desktop.exe";

    #[test]
    fn quoting_round_trips_through_the_split() {
        let tricky = [
            "--hidden",
            "",
            "two words",
            r"C:\Program Files\x\",
            r"trailing\\",
            r#"say "hi""#,
            r#"back\"slash"#,
            "tab\there",
            r"\\server\share\dir with space\c.json",
        ];
        let line = join(APP, &tricky);
        let mut want = vec![APP.to_owned()];
        want.extend(tricky.iter().map(|s| (*s).to_owned()));
        assert_eq!(split(&line), want, "{line}");
    }

    #[test]
    fn plain_arguments_stay_unquoted_and_the_program_is_always_quoted() {
        assert_eq!(join(APP, &["--hidden"]), format!("\"{APP}\" --hidden"));
        assert_eq!(quote_arg(r"C:\a\b.json"), r"C:\a\b.json");
        assert_eq!(quote_arg(r"C:\dir with space\"), r#""C:\dir with space\\""#);
    }

    #[test]
    fn an_unquoted_path_with_spaces_splits_into_pieces() {
        // Why the Run value must be quoted: this is what Windows sees otherwise.
        let split = split(&format!("{APP} --hidden"));
        assert_eq!(split[0], r"C:\Users\John");
        assert_ne!(split.len(), 2);
    }

    /// A client entry for Windows keeps the sidecar path verbatim in `command` and the config path as
    /// one `args` element; the command line the client's spawn builds from them splits back exactly.
    #[test]
    fn client_entries_need_no_quoting() {
        let sidecar =
            r"C:\Users\John Smith\AppData\Local\Enkrypt Secure MCP Gateway\gateway-core.exe";
        let config = r"C:\Users\John Smith\.enkrypt\enkrypt_mcp_config.json";
        let ctx = Context {
            os: Os::Windows,
            env: PathEnv::default(),
            gateway_binary: PathBuf::from(sidecar),
            gateway_args: Vec::new(),
            gateway_config: PathBuf::from(config),
            gateway_key: Some(Sensitive::new("k-0123456789abcdef0123".to_owned())),
            key_delivery: crate::clients::KeyDelivery::Plain,
        };
        for client in ["claude-desktop", "cursor", "vscode", "windsurf"] {
            let entry = build_entry(find(client).expect("client"), &ctx).expect("entry");
            assert_eq!(entry["command"], sidecar, "{client}");
            let args: Vec<&str> = entry["args"]
                .as_array()
                .expect("args array")
                .iter()
                .map(|a| a.as_str().expect("string arg"))
                .collect();
            assert_eq!(args, ["--config", config], "{client}");
            let line = join(sidecar, &args);
            assert_eq!(split(&line), [sidecar, "--config", config], "{client}");
        }
    }
}
