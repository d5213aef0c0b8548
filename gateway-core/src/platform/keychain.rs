//! Where a named gateway secret lives in each OS's credential store, as the `keyring` crate (4.x, its
//! default stores) files it: the same service name everywhere ([`crate::secrets::SERVICE`]), the
//! secret's name as the user. This is what a user looks for in Keychain Access, Credential Manager or
//! Seahorse, and what the `lookup` command prints.

use super::Os;

/// The OS credential store the gateway uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// macOS login keychain: a generic password.
    MacKeychain,
    /// Windows Credential Manager: a generic credential.
    WindowsCredentialManager,
    /// The freedesktop Secret Service (GNOME Keyring, KWallet): an item in the default collection.
    SecretService,
}

/// One secret's place in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeychainItem {
    /// Which store.
    pub store: Store,
    /// How the item is identified there, in that store's words.
    pub identity: Vec<(&'static str, String)>,
    /// The label shown by the store's UI.
    pub label: String,
    /// A command that prints the secret (argv; the user runs it themselves).
    pub lookup: Vec<String>,
}

/// The store of `os`.
pub fn store(os: Os) -> Store {
    match os {
        Os::MacOs => Store::MacKeychain,
        Os::Windows => Store::WindowsCredentialManager,
        Os::Linux => Store::SecretService,
    }
}

/// Where the secret `name` of service `service` lives on `os`.
pub fn item(os: Os, service: &str, name: &str) -> KeychainItem {
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    match store(os) {
        Store::MacKeychain => KeychainItem {
            store: Store::MacKeychain,
            identity: vec![
                ("service", service.to_owned()),
                ("account", name.to_owned()),
            ],
            label: service.to_owned(),
            lookup: owned(&[
                "security",
                "find-generic-password",
                "-s",
                service,
                "-a",
                name,
                "-w",
            ]),
        },
        Store::WindowsCredentialManager => {
            // windows-native-keyring-store: target name = <user>.<service> (default delimiters).
            let target = format!("{name}.{service}");
            KeychainItem {
                store: Store::WindowsCredentialManager,
                identity: vec![("target", target.clone()), ("username", name.to_owned())],
                label: target.clone(),
                lookup: vec!["cmdkey".into(), format!("/list:{target}")],
            }
        }
        Store::SecretService => KeychainItem {
            store: Store::SecretService,
            identity: vec![
                ("service", service.to_owned()),
                ("username", name.to_owned()),
            ],
            label: format!("keyring:{name}@{service}"),
            lookup: owned(&[
                "secret-tool",
                "lookup",
                "service",
                service,
                "username",
                name,
            ]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SERVICE;

    #[test]
    fn one_service_name_three_stores() {
        let mac = item(Os::MacOs, SERVICE, "GITHUB_TOKEN");
        assert_eq!(mac.store, Store::MacKeychain);
        assert_eq!(
            mac.lookup.join(" "),
            "security find-generic-password -s enkrypt-secure-mcp-gateway -a GITHUB_TOKEN -w"
        );
        let win = item(Os::Windows, SERVICE, "GITHUB_TOKEN");
        assert_eq!(win.label, "GITHUB_TOKEN.enkrypt-secure-mcp-gateway");
        assert_eq!(
            win.lookup,
            ["cmdkey", "/list:GITHUB_TOKEN.enkrypt-secure-mcp-gateway"]
        );
        let linux = item(Os::Linux, SERVICE, "GITHUB_TOKEN");
        assert_eq!(
            linux.label,
            "keyring:GITHUB_TOKEN@enkrypt-secure-mcp-gateway"
        );
        assert_eq!(
            linux.identity,
            [
                ("service", SERVICE.to_owned()),
                ("username", "GITHUB_TOKEN".to_owned())
            ]
        );
    }
}
