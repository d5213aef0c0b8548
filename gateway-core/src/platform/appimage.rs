//! Client entries when the gateway runs from an AppImage.
//!
//! An AppImage runs from a folder that is not stable: the official runtime mounts it at a new
//! `/tmp/.mount_*` on every start, ours extracts it into a cache folder named after the image's
//! version and content. An MCP client entry that named `gateway-core` inside that folder would break
//! on the next start or update. So when the running `gateway-core` lives inside the AppImage's folder
//! (`$APPDIR`, which both runtimes export along with `$APPIMAGE`), the entry runs the AppImage file
//! itself with [`GATEWAY_CORE_FLAG`] first: `enkrypt-desktop --gateway-core ARGS…` hands over to the
//! bundled `gateway-core ARGS…` (src-tauri `main.rs`). Anywhere else (a `.deb`, a dev build, a
//! `gateway-core` started by a client that is itself an AppImage) the entry runs the binary directly.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// First argument of the desktop app that makes it run the bundled `gateway-core` with the rest.
pub const GATEWAY_CORE_FLAG: &str = "--gateway-core";

/// What a client entry launches: `program leading_args… --config <config>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    /// The `command` of the entry.
    pub program: PathBuf,
    /// Arguments before `--config` (empty unless `program` is an AppImage).
    pub leading_args: Vec<String>,
}

/// The launcher for the `gateway-core` at `binary`, given `$APPIMAGE` and `$APPDIR` (both made
/// canonical by the caller when they exist): the AppImage when `binary` is inside `appdir` and
/// `appimage` is an absolute path, else `binary` itself.
pub fn launcher(binary: &Path, appimage: Option<&Path>, appdir: Option<&Path>) -> Launcher {
    match (appimage, appdir) {
        (Some(image), Some(dir))
            if image.is_absolute() && !dir.as_os_str().is_empty() && binary.starts_with(dir) =>
        {
            Launcher {
                program: image.to_path_buf(),
                leading_args: vec![GATEWAY_CORE_FLAG.to_owned()],
            }
        }
        _ => Launcher {
            program: binary.to_path_buf(),
            leading_args: Vec::new(),
        },
    }
}

/// [`launcher`] with `$APPIMAGE` and `$APPDIR` of this process (symlinks resolved; an unset, empty
/// or missing one counts as absent).
pub fn launcher_from_env(binary: &Path) -> Launcher {
    let canonical = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .and_then(|v| std::fs::canonicalize(Path::new(&v)).ok())
    };
    let image = canonical("APPIMAGE");
    let dir = canonical("APPDIR");
    launcher(binary, image.as_deref(), dir.as_deref())
}

/// The arguments after [`GATEWAY_CORE_FLAG`] when `args` (a program's command line, the program name
/// first) asks for the bundled gateway-core; `None` otherwise.
pub fn gateway_core_args<S: AsRef<OsStr>>(args: &[S]) -> Option<&[S]> {
    match args {
        [_, flag, rest @ ..] if flag.as_ref() == GATEWAY_CORE_FLAG => Some(rest),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: &str = "/home/u/Apps/Enkrypt_0.1.0_amd64.AppImage";

    #[test]
    fn inside_the_appimage_the_entry_runs_the_appimage() {
        let dir = Path::new("/home/u/.cache/enkrypt-appimage/0.1.0-0123abcd");
        let l = launcher(
            &dir.join("usr/bin/gateway-core"),
            Some(Path::new(IMAGE)),
            Some(dir),
        );
        assert_eq!(l.program, Path::new(IMAGE));
        assert_eq!(l.leading_args, [GATEWAY_CORE_FLAG]);
        // The official runtime's FUSE mount point works the same way.
        let mount = Path::new("/tmp/.mount_EnkryXyZ");
        let l = launcher(
            &mount.join("usr/bin/gateway-core"),
            Some(Path::new(IMAGE)),
            Some(mount),
        );
        assert_eq!(l.program, Path::new(IMAGE));
    }

    #[test]
    fn elsewhere_the_entry_runs_the_binary() {
        let deb = Path::new("/usr/bin/gateway-core");
        let direct = Launcher {
            program: deb.to_path_buf(),
            leading_args: Vec::new(),
        };
        // A .deb or dev run: no AppImage at all.
        assert_eq!(launcher(deb, None, None), direct);
        // gateway-core started by a client that is itself an AppImage (e.g. Cursor): not ours.
        assert_eq!(
            launcher(
                deb,
                Some(Path::new("/opt/Cursor.AppImage")),
                Some(Path::new("/tmp/.mount_Cursor"))
            ),
            direct
        );
        // Half the environment, or a relative $APPIMAGE, is not enough.
        let dir = Path::new("/tmp/.mount_x");
        let inside = dir.join("usr/bin/gateway-core");
        assert_eq!(
            launcher(&inside, Some(Path::new(IMAGE)), None)
                .leading_args
                .len(),
            0
        );
        assert_eq!(
            launcher(&inside, Some(Path::new("Enkrypt.AppImage")), Some(dir))
                .leading_args
                .len(),
            0
        );
        // A sibling folder whose name merely starts like $APPDIR is outside it.
        assert_eq!(
            launcher(
                Path::new("/tmp/.mount_x2/usr/bin/gateway-core"),
                Some(Path::new(IMAGE)),
                Some(dir)
            )
            .leading_args
            .len(),
            0
        );
    }

    #[test]
    fn the_flag_is_recognised_only_first() {
        assert_eq!(
            gateway_core_args(&["app", "--gateway-core", "--config", "/c.json"]),
            Some(&["--config", "/c.json"][..])
        );
        assert_eq!(
            gateway_core_args(&["app", "--gateway-core"]),
            Some(&[][..] as &[&str])
        );
        assert_eq!(
            gateway_core_args(&["app", "--hidden", "--gateway-core"]),
            None
        );
        assert_eq!(gateway_core_args(&["app"]), None);
    }
}
