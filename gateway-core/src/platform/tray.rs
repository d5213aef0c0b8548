//! How the tray icon is drawn on each OS.
//!
//! macOS menu-bar icons are template images: black shapes on transparency that the system tints for the
//! light or dark menu bar (a coloured icon looks wrong in one of them). Colour cannot carry the state
//! there, so the shape does. Windows' notification area and Linux's StatusNotifier/AppIndicator hosts
//! show coloured icons as drawn.

use super::Os;

/// How to draw the tray icon on one OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrayIconStyle {
    /// Draw a template image (black + alpha; state shown by shape) and mark it as a template.
    pub template: bool,
    /// Side length in pixels of the drawn image.
    pub size: u32,
}

/// The tray icon style of `os`.
pub fn icon_style(os: Os) -> TrayIconStyle {
    match os {
        // 18 pt menu-bar glyph drawn at 2x for Retina.
        Os::MacOs => TrayIconStyle {
            template: true,
            size: 36,
        },
        Os::Windows | Os::Linux => TrayIconStyle {
            template: false,
            size: 32,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_macos_uses_a_template_image() {
        assert!(icon_style(Os::MacOs).template);
        assert!(!icon_style(Os::Windows).template);
        assert!(!icon_style(Os::Linux).template);
    }
}
