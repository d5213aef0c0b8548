//! Encoding and line endings of the client config files we rewrite.
//!
//! Editors on Windows often save JSON as UTF-8 with a byte-order mark and CRLF line endings (Notepad
//! and PowerShell 5 add the BOM). A rewrite keeps both exactly as found, so that a client, a diff or a
//! dotfiles repository sees only our entry change. A new file is plain UTF-8 with `\n` on every OS: the
//! Node/Electron clients themselves write that (`JSON.stringify` + `fs.writeFile`), and every client
//! reads it. UTF-16 files are not rewritten ([`crate::clients::edit::parse`] reports them as not UTF-8).

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &str = "\u{feff}";

/// How an existing text file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// Starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Uses `\r\n` line endings.
    pub crlf: bool,
}

impl TextStyle {
    /// The style of `original` (the file as it is on disk), or of a new file when `None`.
    pub fn of(original: Option<&str>) -> Self {
        let Some(text) = original else {
            return Self::default();
        };
        Self {
            bom: text.starts_with(UTF8_BOM),
            crlf: text.contains("\r\n"),
        }
    }

    /// `text` (with `\n` line endings and no BOM) written in this style.
    pub fn apply(self, text: &str) -> String {
        let body = if self.crlf {
            // Raw newlines only occur between JSON tokens (strings escape theirs), so this is safe.
            text.replace('\n', "\r\n")
        } else {
            text.to_owned()
        };
        if self.bom {
            format!("{UTF8_BOM}{body}")
        } else {
            body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_notepad_style_is_kept() {
        let original = "\u{feff}{\r\n  \"a\": 1\r\n}\r\n";
        let style = TextStyle::of(Some(original));
        assert_eq!(
            style,
            TextStyle {
                bom: true,
                crlf: true
            }
        );
        assert_eq!(
            style.apply("{\n  \"b\": 2\n}\n"),
            "\u{feff}{\r\n  \"b\": 2\r\n}\r\n"
        );
    }

    #[test]
    fn each_property_is_independent() {
        assert_eq!(
            TextStyle::of(Some("\u{feff}{}\n")),
            TextStyle {
                bom: true,
                crlf: false
            }
        );
        assert_eq!(
            TextStyle::of(Some("{\r\n}\r\n")),
            TextStyle {
                bom: false,
                crlf: true
            }
        );
        assert_eq!(TextStyle::of(Some("{\n}\n")), TextStyle::default());
    }

    #[test]
    fn new_files_are_plain_utf8_with_lf() {
        let style = TextStyle::of(None);
        assert_eq!(style.apply("{\n}\n"), "{\n}\n");
    }
}
