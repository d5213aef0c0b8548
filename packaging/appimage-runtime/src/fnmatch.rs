//! Shell-style patterns for `--appimage-extract PATTERN`, as the official runtime's `fnmatch(3)`
//! without flags: `*` and `?` match any characters including `/`; `[...]` is not supported (taken
//! literally).

/// Whether `path` (relative, no leading `/`) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
    let (mut pi, mut si) = (0, 0);
    // Where the last `*` was, and how much of `s` it has eaten so far (classic backtracking).
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == '?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("*.desktop", "enkrypt.desktop"));
        assert!(matches("usr/bin/*", "usr/bin/gateway-core"));
        assert!(matches("*gateway*", "usr/bin/gateway-core"));
        assert!(matches("AppRu?", "AppRun"));
        assert!(matches("*", "anything/at/all"));
        assert!(!matches("*.desktop", "usr/bin/gateway-core"));
        assert!(!matches("usr/bin/*", "usr/lib/x"));
        assert!(!matches("AppRun", "AppRun2"));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
    }
}
