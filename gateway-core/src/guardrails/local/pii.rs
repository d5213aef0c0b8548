//! PII detection with validators (Luhn for cards, mod-97 for IBANs, SSN ranges, real IP parsing) to keep
//! false positives down, and reversible redaction through a session-scoped vault.
//!
//! Person names and street addresses: a cue (an honorific, "my name is …"), the English "number + name +
//! street type" shape, and the multilingual gazetteers of `gazetteer.rs` (name and street-type lists
//! with context rules; no NER model, see its header for what that misses). Phone numbers need a shape
//! that rarely occurs otherwise (`+…`, trunk `0`, grouped digits) or a cue word (`phone`, `Tel.`)
//! nearby; bare digit runs without a cue are not reported.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::Regex;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PiiKind {
    Email,
    Phone,
    CreditCard,
    Iban,
    UsSsn,
    IpAddress,
    PersonName,
    StreetAddress,
    Url,
    Secret,
}

impl PiiKind {
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::Iban => "IBAN",
            PiiKind::UsSsn => "US_SSN",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::PersonName => "PERSON",
            PiiKind::StreetAddress => "ADDRESS",
            PiiKind::Url => "URL",
            PiiKind::Secret => "SECRET",
        }
    }

    /// The Enkrypt `pii` entity this kind belongs to (`additional_config.pii_entities`).
    pub fn entity(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::IpAddress => "ip_address",
            PiiKind::Url => "url",
            PiiKind::Secret => "secrets",
            PiiKind::CreditCard
            | PiiKind::Iban
            | PiiKind::UsSsn
            | PiiKind::PersonName
            | PiiKind::StreetAddress => "pii",
        }
    }
}

/// One finding: kind and byte range in the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiMatch {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

fn re(pattern: &str) -> Regex {
    super::normalize::ascii_regex(pattern)
}

/// Web and FTP URLs, and bare `www.` hosts; trailing sentence punctuation is trimmed after matching.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\b(?:https?|ftp|wss?)://[^\s<>"'`\\)\]}|]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b[^\s<>"'`\\)\]}|]*"#,
    )
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z]{2,24}\b")
});
/// Phone numbers in shapes that rarely occur otherwise: international (`+49 …`), North American
/// (`(415) 555-0132x12`), national with a trunk `0` (`(0161) 496 0066`, `04 15 39 15 00`), grouped
/// digits (`609 141 777`) and Brazilian (`(81) 3533-7406`); digit counts are checked after matching.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\+\d{1,3}[\s.-]?(?:\(0\)\s?)?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b",
        r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b",
        r"|\b\d{3}[.-]\d{3}[.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b",
        r"|\(0\d{1,4}\)[\s-]{0,2}\d{2,8}(?:[\s.-]\d{2,8}){0,3}\b",
        r"|\(\d{2,3}\)\s?\d{4,5}-\d{4}\b|\b\d{2} \d{4,5}-\d{4}\b",
        r"|\b0\d{1,4}(?:[\s./-]{1,2}\d{2,8}){1,4}\b",
        r"|\b\d{2,4}(?:[ -]\d{2,4}){2,4}\b",
    ))
});
/// A phone cue word, then (within a short gap) any digit run of phone length.
static PHONE_CUED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\b(?:phone|tel|telephone|mobile|fax|whatsapp|telefon|telefonnummer|telefono|",
        r"tel\x{e9}fono|telefone|t\x{e9}l\x{e9}phone|celular|numer|puhelin|gsm|cellulare)\b",
        r"(?:[^\n]{0,40}?|[^\n]{0,40}\n[^\n]{0,20}?)(\+?\(?\d[\d \t().x/-]{6,22}\d)",
    ))
});
static DATE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?:\D|$)|\d{4}-\d{2}-\d{2}"));
static CARD: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:\d[ -]?){11,18}\d\b"));
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"));
static SSN: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{3})-(\d{2})-(\d{4})\b"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}\b|(?i)\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\b",
    )
});
static NAME_CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sr|Sra|Herr|Frau|Mme)\.? ([A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+){0,2})|(?i:my name is|i am called|je m'appelle|me llamo|ich heiße|mi chiamo) ([A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+){0,2})",
    )
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d{1,5} (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Parkway)\b\.?",
    )
});

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Luhn checksum over a card number's digits.
pub fn luhn_ok(number: &[u32]) -> bool {
    let sum: u32 = number
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn card_ok(candidate: &str) -> bool {
    let d = digits(candidate);
    // 12 digits only for Maestro ranges (50, 56-69), the one brand that issues them.
    let length_ok = (13..=19).contains(&d.len())
        || (d.len() == 12 && matches!(d[..2], [5, 0] | [5, 6..=9] | [6, _]));
    length_ok && matches!(d.first(), Some(2..=6)) && !d.iter().all(|&x| x == d[0]) && luhn_ok(&d)
}

/// ISO 13616 mod-97 check.
pub fn iban_ok(candidate: &str) -> bool {
    let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut remainder: u64 = 0;
    for c in rearranged.chars() {
        let value = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

fn ssn_ok(caps: &regex::Captures<'_>) -> bool {
    let area: u32 = caps
        .get(1)
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0);
    let group: u32 = caps
        .get(2)
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0);
    let serial: u32 = caps
        .get(3)
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn phone_ok(candidate: &str, min_digits: usize) -> bool {
    let d = digits(candidate);
    // No country code starts with 0 (`+01-123-456-7890` is a placeholder).
    if !(min_digits..=15).contains(&d.len())
        || DATE_LIKE.is_match(candidate)
        || candidate.starts_with("+0")
    {
        return false;
    }
    // Padding and counters, not numbers: mostly zeros, or groups counting up ("10 11 12 13").
    let zeros = d.iter().filter(|&&x| x == 0).count();
    let groups: Vec<u64> = candidate
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|g| g.parse().ok())
        .collect();
    let counting = groups.len() >= 3 && groups.windows(2).all(|w| w[1] == w[0] + 1);
    zeros * 2 <= d.len() && !counting
}

/// RFC 5737 documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): examples, not hosts.
fn is_documentation_v4(o: [u8; 4]) -> bool {
    matches!(o[..3], [192, 0, 2] | [198, 51, 100] | [203, 0, 113])
}

/// Whether a dotted quad is a host address worth redacting, not a version, section number, OID,
/// netmask, loopback or network address.
fn ipv4_ok(text: &str, start: usize, end: usize) -> bool {
    let Ok(ip) = text[start..end].parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    let o = ip.octets();
    let before = text[..start].chars().next_back();
    let after: Vec<char> = text[end..].chars().take(2).collect();
    let dotted_neighbour = before == Some('.')
        || (after.first() == Some(&'.') && after.get(1).is_some_and(char::is_ascii_digit));
    let cidr = after.first() == Some(&'/') && after.get(1).is_some_and(char::is_ascii_digit);
    // `5.15.167.4-microsoft-standard` is a kernel version.
    let versioned =
        after.first() == Some(&'-') && after.get(1).is_some_and(|c| c.is_alphanumeric());
    !(dotted_neighbour
        || cidr
        || versioned
        || identifier_context(text, start)
        || ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || o[0] == 255
        || o[0] == 0
        || o[3] == 0
        || is_documentation_v4(o)
        || o.iter().all(|&x| x < 10))
}

/// RFC 1918, shared (100.64.0.0/10) and link-local addresses.
fn private_v4(ip: &str) -> bool {
    ip.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| {
        let o = ip.octets();
        ip.is_private() || ip.is_link_local() || (o[0] == 100 && (64..128).contains(&o[1]))
    })
}

/// Whether the words just before a dotted quad (same line) name it as an OID, a section or
/// version number (`OID 2.5.29.15`, `RFC 5280 section 4.2.1.13`, `id-ce-keyUsage 2.5.29.15`).
fn identifier_context(text: &str, start: usize) -> bool {
    let line = text[..start].rsplit('\n').next().unwrap_or("");
    let tail: String = line
        .chars()
        .rev()
        .take(32)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.to_ascii_lowercase();
    [
        "oid",
        "section",
        "\u{a7}",
        "object_identifier",
        "id-",
        "version",
        "rfc",
    ]
    .iter()
    .any(|cue| tail.contains(cue))
}

/// Whether a match at `start..end` lies inside a UUID (`8-4-4-4-12` hex groups), whose digit
/// groups look like a grouped phone number.
fn in_uuid(text: &str, start: usize, end: usize) -> bool {
    let hexish = |c: char| c.is_ascii_hexdigit() || c == '-';
    let from = text[..start]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| hexish(c))
        .last()
        .map_or(start, |(i, _)| i);
    let to = text[end..]
        .char_indices()
        .find(|&(_, c)| !hexish(c))
        .map_or(text.len(), |(i, _)| end + i);
    let lengths: Vec<usize> = text[from..to].split('-').map(str::len).collect();
    lengths == [8, 4, 4, 4, 12]
}

/// Whether a digit group at `start..end` is one entry of a longer run of numbers (a table row, a
/// list of sizes) rather than a number on its own.
fn in_number_list(text: &str, start: usize, end: usize) -> bool {
    let before: Vec<char> = text[..start].chars().rev().take(2).collect();
    let after: Vec<char> = text[end..].chars().take(2).collect();
    let digit_then_space =
        |v: &[char]| v.first() == Some(&' ') && v.get(1).is_some_and(char::is_ascii_digit);
    digit_then_space(&before) || digit_then_space(&after)
}

/// Whether a digit run at `start..end` is part of a longer token: the fraction of a decimal
/// (`22.533333333333335`), a time (`00:32:00.999999-07:00`), version build metadata
/// (`0.4.0+25.0.8775105`) or a longer dash-joined run (`+292277026596-12-04T15`).
fn glued_number(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    let b1 = before.next();
    let b2 = before.next();
    let mut after = text[end..].chars();
    let a1 = after.next();
    let a2 = after.next();
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    (matches!(b1, Some('.' | ':')) && digit(b2))
        || (text[start..].starts_with('+') && alnum(b1))
        || (b1 == Some('+') && digit(text[start..].chars().next()))
        || (matches!(a1, Some('.' | '-' | ':')) && digit(a2))
}

/// An e-mail domain needs a letter before its top-level label (`wasi-cli@0.2.0.wasm` is a file).
fn email_ok(candidate: &str) -> bool {
    candidate.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.contains("..")
            && !local.ends_with('.')
            && domain
                .rsplit_once('.')
                .is_some_and(|(host, _)| host.chars().any(|c| c.is_ascii_alphabetic()))
    })
}

/// Every PII finding in `text`, non-overlapping, in order (every entity).
pub fn find(text: &str) -> Vec<PiiMatch> {
    let secrets = super::secrets::spans(text);
    find_in(text, crate::config::PII_ENTITIES, &secrets)
}

/// The PII findings of the `entities` asked for (Enkrypt's names: `pii`, `email`, `phone`, `secrets`,
/// `ip_address`, `url`), non-overlapping, in order; `secrets` are the secret spans already found.
pub fn find_in(
    text: &str,
    entities: &[&str],
    secrets: &[super::secrets::SecretSpan],
) -> Vec<PiiMatch> {
    let wants = |entity: &str| entities.contains(&entity);
    let mut found: Vec<PiiMatch> = Vec::new();
    if wants("secrets") {
        found.extend(secrets.iter().map(|s| PiiMatch {
            kind: PiiKind::Secret,
            start: s.start,
            end: s.end,
        }));
    }
    let mut push = |kind: PiiKind, start, end| {
        if wants(kind.entity()) {
            found.push(PiiMatch { kind, start, end })
        }
    };
    if wants("email") {
        for m in EMAIL.find_iter(text) {
            if email_ok(m.as_str()) {
                push(PiiKind::Email, m.start(), m.end());
            }
        }
    }
    if wants("url") {
        for m in URL.find_iter(text) {
            let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
            if trimmed.len() > 10 {
                push(PiiKind::Url, m.start(), m.start() + trimmed.len());
            }
        }
    }
    if !(wants("pii") || wants("phone") || wants("ip_address")) {
        return non_overlapping(found);
    }
    for m in IBAN.find_iter(text) {
        if iban_ok(m.as_str()) {
            push(PiiKind::Iban, m.start(), m.end());
        }
    }
    for m in CARD.find_iter(text) {
        if card_ok(m.as_str())
            && !glued_number(text, m.start(), m.end())
            && !in_number_list(text, m.start(), m.end())
        {
            push(PiiKind::CreditCard, m.start(), m.end());
        }
    }
    for caps in SSN.captures_iter(text) {
        if let Some(m) = caps.get(0).filter(|_| ssn_ok(&caps)) {
            push(PiiKind::UsSsn, m.start(), m.end());
        }
    }
    // In source code and READMEs, private addresses are examples and configuration, not anyone's.
    let code = super::running::code_like(text);
    for m in IPV4.find_iter(text) {
        if ipv4_ok(text, m.start(), m.end()) && !(code && private_v4(m.as_str())) {
            push(PiiKind::IpAddress, m.start(), m.end());
        }
    }
    for m in IPV6.find_iter(text) {
        // A digit and three groups: `dfa::DFA` (a Rust path) and `[2::2]` (a slice) parse too.
        let groups = m.as_str().split(':').filter(|g| !g.is_empty()).count();
        // 2001:db8::/32 is the RFC 3849 documentation prefix.
        if m.as_str().parse::<std::net::Ipv6Addr>().is_ok_and(|ip| {
            ip.segments()[..2] != [0x2001, 0x0db8] && !ip.is_unspecified() && !ip.is_loopback()
        }) && !text[m.end()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_hexdigit() || c == ':')
            && groups >= 3
            && m.as_str().chars().any(|c| c.is_ascii_digit())
            && !text[..m.start()].ends_with(':')
        {
            push(PiiKind::IpAddress, m.start(), m.end());
        }
    }
    for m in PHONE.find_iter(text) {
        if phone_ok(m.as_str(), 9)
            && !glued_number(text, m.start(), m.end())
            && !in_number_list(text, m.start(), m.end())
            && !in_uuid(text, m.start(), m.end())
        {
            push(PiiKind::Phone, m.start(), m.end());
        }
    }
    for caps in PHONE_CUED.captures_iter(text) {
        if let Some(m) = caps.get(1).filter(|m| {
            phone_ok(m.as_str(), 8)
                && !in_number_list(text, m.start(), m.end())
                && !text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
                && !text[m.end()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        }) {
            push(PiiKind::Phone, m.start(), m.end());
        }
    }
    for caps in NAME_CUE.captures_iter(text) {
        // After an honorific: a listed first and last name, or a listed name in a record about a
        // person (fiction's "Mr. Betteredge" and "Miss Nancy" are not records).
        if let Some(m) = caps
            .get(1)
            .filter(|m| {
                super::gazetteer::is_listed_name(m.as_str())
                    && (m.as_str().contains(' ')
                        || super::gazetteer::has_person_cue(text, m.start()))
            })
            .or_else(|| caps.get(2))
        {
            push(PiiKind::PersonName, m.start(), m.end());
        }
    }
    for m in ADDRESS.find_iter(text) {
        push(PiiKind::StreetAddress, m.start(), m.end());
    }
    let (gazetteer_addresses, gazetteer_names) = super::gazetteer::addresses_and_names(text);
    for (start, end) in gazetteer_addresses {
        push(PiiKind::StreetAddress, start, end);
    }
    for (start, end) in gazetteer_names {
        push(PiiKind::PersonName, start, end);
    }
    for (start, end) in super::running::addresses(text) {
        push(PiiKind::StreetAddress, start, end);
    }
    for (start, end) in super::running::names(text) {
        push(PiiKind::PersonName, start, end);
    }
    found.retain(|m| m.kind != PiiKind::PersonName || !placeholder_name(&text[m.start..m.end]));
    non_overlapping(found)
}

/// Names that stand for nobody (`John Doe`, `Max Mustermann`): examples in documentation and tests.
const PLACEHOLDER_NAMES: &[&str] = &[
    "john doe",
    "jane doe",
    "john smith",
    "jane smith",
    "joe bloggs",
    "fred bloggs",
    "richard roe",
    "max mustermann",
    "erika mustermann",
    "jean dupont",
    "mario rossi",
    "jan kowalski",
    "ivan ivanov",
    "fulano de tal",
    "juan pérez",
    "jan jansen",
    "john q. public",
];

fn placeholder_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    PLACEHOLDER_NAMES.contains(&lower.as_str())
}

/// Earlier kinds win overlaps (an IBAN's digits are not also a phone number).
fn non_overlapping(found: Vec<PiiMatch>) -> Vec<PiiMatch> {
    let mut kept: Vec<PiiMatch> = Vec::new();
    for m in found {
        if !kept.iter().any(|k| m.start < k.end && k.start < m.end) {
            kept.push(m);
        }
    }
    kept.sort_by_key(|m| m.start);
    kept
}

/// Original values behind the placeholders of one redaction, kept in memory for this process only.
#[derive(Default)]
pub struct Vault {
    entries: Mutex<VaultEntries>,
}

#[derive(Default)]
struct VaultEntries {
    by_key: HashMap<String, Vec<(String, String)>>,
    order: std::collections::VecDeque<String>,
}

/// Redactions remembered at once; the oldest are forgotten first.
const VAULT_CAPACITY: usize = 10_000;

impl Vault {
    /// Replaces every finding of `entities` with a placeholder like `[EMAIL_1]` or `[SECRET_1]`;
    /// returns the text and a key.
    pub fn redact(&self, text: &str, entities: &[&str]) -> (String, String, Vec<PiiKind>) {
        let secrets = super::secrets::spans(text);
        let matches = find_in(text, entities, &secrets);
        let key = uuid::Uuid::new_v4().simple().to_string();
        let mut out = String::with_capacity(text.len());
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut counters: HashMap<PiiKind, usize> = HashMap::new();
        let mut last = 0;
        let mut kinds = Vec::new();
        for m in &matches {
            let original = &text[m.start..m.end];
            let placeholder = match pairs.iter().find(|(_, o)| o == original) {
                Some((p, _)) => p.clone(),
                None => {
                    let n = counters.entry(m.kind).or_insert(0);
                    *n += 1;
                    let p = format!("[{}_{}]", m.kind.label(), n);
                    pairs.push((p.clone(), original.to_string()));
                    p
                }
            };
            out.push_str(&text[last..m.start]);
            out.push_str(&placeholder);
            last = m.end;
            kinds.push(m.kind);
        }
        out.push_str(&text[last..]);
        if !pairs.is_empty()
            && let Ok(mut entries) = self.entries.lock()
        {
            entries.by_key.insert(key.clone(), pairs);
            entries.order.push_back(key.clone());
            while entries.order.len() > VAULT_CAPACITY {
                if let Some(old) = entries.order.pop_front() {
                    entries.by_key.remove(&old);
                }
            }
        }
        (out, key, kinds)
    }

    /// Puts the originals of redaction `key` back into `text`.
    pub fn restore(&self, text: &str, key: &str) -> String {
        let Ok(entries) = self.entries.lock() else {
            return text.to_string();
        };
        let Some(pairs) = entries.by_key.get(key) else {
            return text.to_string();
        };
        let mut out = text.to_string();
        for (placeholder, original) in pairs {
            out = out.replace(placeholder.as_str(), original);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PiiKind> {
        find(text).into_iter().map(|m| m.kind).collect()
    }

    #[test]
    fn oids_section_numbers_and_uuids_are_not_pii() {
        for text in [
            "// id-ce-keyUsage 2.5.29.15.",
            "see RFC 5280 section 4.2.1.13 for details",
            "OBJECT_IDENTIFIER { 1.3.101.112 }",
            "const UUID_STR: &str = \"12345678-1234-5678-1234-567812345678\";",
        ] {
            assert!(
                find(text).is_empty(),
                "false positive: {text} {:?}",
                find(text)
            );
        }
        assert!(!find("The server at 10.12.7.31 is down.").is_empty());
        assert!(!find("Call me on 555-123-4567 tomorrow.").is_empty());
        // Private addresses: personal data in a message, an example in code.
        assert!(!find("my laptop is 192.168.1.23, please whitelist it").is_empty());
        let code = "fn main() {\n    let ip = \"192.168.1.23\";\n    connect(ip);\n}\n";
        assert!(find(code).is_empty(), "{:?}", find(code));
    }

    #[test]
    fn finds_validated_pii() {
        assert_eq!(kinds("mail jane.doe@example.com now"), vec![PiiKind::Email]);
        assert_eq!(
            kinds("card 4111 1111 1111 1111 ok"),
            vec![PiiKind::CreditCard]
        );
        assert!(kinds("card 4111 1111 1111 1112").is_empty(), "Luhn rejects");
        assert_eq!(
            kinds("iban DE89 3704 0044 0532 0130 00"),
            vec![PiiKind::Iban]
        );
        assert!(
            !kinds("iban DE89 3704 0044 0532 0130 01").contains(&PiiKind::Iban),
            "mod-97 rejects: {:?}",
            kinds("iban DE89 3704 0044 0532 0130 01")
        );
        assert_eq!(kinds("ssn 123-45-6789"), vec![PiiKind::UsSsn]);
        assert!(kinds("ssn 000-45-6789").is_empty());
        assert_eq!(kinds("call +1 415-555-0132"), vec![PiiKind::Phone]);
        assert_eq!(kinds("host 192.168.10.25"), vec![PiiKind::IpAddress]);
        assert!(kinds("version 999.1.2.3").is_empty());
        assert!(
            kinds("see 2001:db8::8a2e:370:7334 and 192.0.2.7").is_empty(),
            "documentation"
        );
        assert!(kinds("use crate::dfa::DFA; groups[2::2]").is_empty());
        assert_eq!(
            kinds("ip 2a00:1450:4001:81c::200e"),
            vec![PiiKind::IpAddress]
        );
        assert_eq!(kinds("Dr. Maria Garcia called"), vec![PiiKind::PersonName]);
        assert_eq!(
            kinds("ship to 221 Baker Street please"),
            vec![PiiKind::StreetAddress]
        );
    }

    #[test]
    fn every_entity_is_found_redacted_and_restored() {
        let text = "token ghp_0123456789abcdefghijABCDEFGHIJ012345 for jane@corp.io, see https://corp.io/u/42?x=1. host 10.20.30.40, call +44 20 7946 0958, Dr. Maria Garcia";
        let found: Vec<&str> = find(text).iter().map(|m| m.kind.entity()).collect();
        for entity in crate::config::PII_ENTITIES {
            assert!(found.contains(entity), "{entity} missing: {found:?}");
        }
        let vault = Vault::default();
        let (redacted, key, _) = vault.redact(text, crate::config::PII_ENTITIES);
        for original in [
            "ghp_",
            "jane@",
            "https://corp.io",
            "10.20.30.40",
            "7946",
            "Garcia",
        ] {
            assert!(
                !redacted.contains(original),
                "{original} left in {redacted}"
            );
        }
        assert!(
            redacted.contains("[SECRET_1]") && redacted.contains("[URL_1]."),
            "{redacted}"
        );
        assert_eq!(vault.restore(&redacted, &key), text);
        // Narrowed: only secrets.
        let (redacted, _, kinds) = vault.redact(text, &["secrets"]);
        assert_eq!(kinds, vec![PiiKind::Secret]);
        assert!(redacted.contains("jane@corp.io") && redacted.contains("https://corp.io"));
    }

    #[test]
    fn benign_numbers_are_not_pii() {
        for text in [
            "assert_eq!(loc.latitude(), 22.533333333333335);",
            "\"phoneNumber\": \"+01-123-456-7890\"",
            "see CHANGELOG.md#060-2024-04-26 for details",
            "(r\"Asia/Tel_Aviv\", 197520..198594),",
            "a faulty `0.4.0+25.0.8775105` publish",
            "offset datetime `1979-05-27T00:32:00.999999-07:00`",
            "OS: Ubuntu 22.04.4 LTS (5.15.167.4-microsoft-standard-WSL2)",
            "let r = UriRef::parse(\"//[0000:0000:0000::1]\").unwrap();",
            "name: \"Jane Doe\", id: 12345",
            "the year 2024 had 365 days",
            "order #12345 shipped",
            "pi is 3.14159265",
            "commit 4f9a2c1",
        ] {
            assert!(kinds(text).is_empty(), "{text}: {:?}", kinds(text));
        }
    }

    #[test]
    fn redaction_round_trips_and_reuses_placeholders() {
        let vault = Vault::default();
        let text = "write to a@b.io and a@b.io, card 4111111111111111";
        let (redacted, key, _) = vault.redact(text, crate::config::PII_ENTITIES);
        assert!(!redacted.contains("a@b.io"));
        assert!(redacted.contains("[EMAIL_1]") && !redacted.contains("[EMAIL_2]"));
        assert_eq!(vault.restore(&redacted, &key), text);
        assert_eq!(vault.restore("echo [EMAIL_1]", &key), "echo a@b.io");
        assert_eq!(
            vault.restore("echo [EMAIL_1]", "other-key"),
            "echo [EMAIL_1]"
        );
    }
}
