//! `appimage-pack --runtime RUNTIME --appdir DIR --output FILE.AppImage`: our runtime (magic added)
//! followed by a gzip SquashFS image of the AppDir (scripts/package/appimage.sh runs it).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (mut runtime, mut appdir, mut output) = (None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.to_str() {
            Some("--runtime") => &mut runtime,
            Some("--appdir") => &mut appdir,
            Some("--output") => &mut output,
            _ => {
                eprintln!("usage: appimage-pack --runtime RUNTIME --appdir DIR --output FILE");
                return ExitCode::from(2);
            }
        };
        *slot = args.next().map(PathBuf::from);
    }
    let (Some(runtime), Some(appdir), Some(output)) = (runtime, appdir, output) else {
        eprintln!("usage: appimage-pack --runtime RUNTIME --appdir DIR --output FILE");
        return ExitCode::from(2);
    };
    match appimage_runtime::pack::pack(&runtime, &appdir, &output) {
        Ok(offset) => {
            println!("{}: image at offset {offset}", output.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("appimage-pack: {e}");
            ExitCode::FAILURE
        }
    }
}
