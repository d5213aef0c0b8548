//! The Linux rule of `gateway_core::platform::keychain` against a live Secret Service: a secret stored by
//! the gateway's [`Keychain`] is found by the `secret-tool` command and under the label the rule names.
//!
//! Runs inside `tests/keychain/with-keyring.sh` (as `make test-rust` does). Without a reachable Secret
//! Service or `secret-tool` it prints a `SKIP` line and passes, unless `ENKRYPT_REQUIRE_KEYCHAIN=1`.
#![cfg(target_os = "linux")]

use std::process::Command;

use gateway_core::platform::Os;
use gateway_core::platform::keychain::item;
use gateway_core::secrets::Keychain;

const SERVICE: &str = "enkrypt-secure-mcp-gateway-test-platform";

fn skip_or_fail(why: &str) {
    let required =
        std::env::var("ENKRYPT_REQUIRE_KEYCHAIN").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "ENKRYPT_REQUIRE_KEYCHAIN is set but {why}");
    eprintln!("SKIP: {why}");
}

#[test]
fn secret_tool_finds_the_item_where_the_rule_says() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return skip_or_fail("no D-Bus session bus (run under tests/keychain/with-keyring.sh)");
    }
    if Command::new("secret-tool")
        .arg("--version")
        .output()
        .is_err()
    {
        return skip_or_fail("secret-tool is not installed (apt install libsecret-tools)");
    }
    let keychain = Keychain::with_service(SERVICE);
    let name = format!(
        "platform-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    if let Err(error) = keychain.set(&name, "platform-value") {
        return skip_or_fail(&format!("no usable Secret Service: {error}"));
    }
    let rule = item(Os::Linux, SERVICE, &name);
    let lookup = Command::new(&rule.lookup[0])
        .args(&rule.lookup[1..])
        .output()
        .expect("secret-tool lookup");
    let search = Command::new("secret-tool")
        .args(["search", "--all"])
        .args(
            rule.identity
                .iter()
                .flat_map(|(k, v)| [k.to_string(), v.clone()]),
        )
        .output()
        .expect("secret-tool search");
    let _ = keychain.delete(&name);
    assert_eq!(String::from_utf8_lossy(&lookup.stdout), "platform-value");
    let listing = String::from_utf8_lossy(&search.stdout);
    assert!(
        listing.contains(&format!("label = {}", rule.label)),
        "{listing}"
    );
}
