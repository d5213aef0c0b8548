//! Unit tests of the name and street gazetteers: the shipped lists load, names and addresses in
//! several languages are found, and ordinary capitalised words are not.

use super::*;

fn name_texts(text: &str) -> Vec<&str> {
    names(text).into_iter().map(|(s, e)| &text[s..e]).collect()
}

fn address_texts(text: &str) -> Vec<&str> {
    addresses(text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
}

#[test]
fn shipped_lists_load() {
    let lists = &*LISTS;
    assert!(lists.names.len() > 30_000, "{}", lists.names.len());
    assert_eq!(lists.names.get("maria").map(|f| f & FIRST), Some(FIRST));
    assert_eq!(lists.names.get("müller").map(|f| f & LAST), Some(LAST));
    assert!(lists.prefixes.contains("calle") && lists.suffixes.contains("avenue"));
}

#[test]
fn finds_names_in_several_languages() {
    assert_eq!(
        name_texts("{\"value\": \"Hans-Jürgen Müller\"}"),
        vec!["Hans-Jürgen Müller"]
    );
    assert_eq!(
        name_texts("The customer Giulia Romano called twice."),
        vec!["Giulia Romano"]
    );
    assert_eq!(
        name_texts("customer: Jan van der Berg"),
        vec!["Jan van der Berg"]
    );
    assert_eq!(
        name_texts("4711,Giulia Romano,2024-03-02"),
        vec!["Giulia Romano"]
    );
    assert_eq!(
        name_texts("| 12 | María García López | active |"),
        vec!["María García López"]
    );
    assert_eq!(name_texts("Автор: Иван Петров"), vec!["Иван Петров"]);
}

#[test]
fn common_words_and_titles_are_not_names() {
    for text in [
        "## Getting Started With Rust",
        "Will Long run before the Price Check?",
        "See the Jordan Normal Form Theorem section.",
        "let max_value = Max::new(); // Grant Access",
        "the quick brown fox",
        "Copyright(c) 2013 Roman Shtylman",
        "  \"author\": \"Aaron Heckmann <a@example.com>\",",
        "- [Jason Saayman](https://example.com/jasonsaayman)",
    ] {
        assert!(
            name_texts(text).is_empty(),
            "{text}: {:?}",
            name_texts(text)
        );
    }
}

#[test]
fn finds_addresses_in_several_shapes() {
    for (text, want) in [
        (
            "ship to 807 Deborah Estate Apt. 573, Stephensshire",
            "807 Deborah Estate",
        ),
        ("lives at 221 Baker Street now", "221 Baker Street"),
        ("18, rue Manon Roux, 20215 Lelièvre", "18, rue Manon Roux"),
        ("Calle de Alcalá 12, Madrid", "Calle de Alcalá 12"),
        ("ul. Długa 12/3, 00-123 Warszawa", "ul. Długa 12/3"),
        ("Hauptstraße 5, 10115 Berlin", "Hauptstraße 5"),
        ("Storgatan 21, 12364 Kalmar", "Storgatan 21"),
        ("Piazza Giacobbe, 62, 17054", "Piazza Giacobbe, 62"),
        (
            "au 4 avenue de la République, Nantes",
            "4 avenue de la République",
        ),
        ("Viale delle Milizie 8, Roma", "Viale delle Milizie 8"),
        (
            "Corso Vittorio Emanuele 41, Torino",
            "Corso Vittorio Emanuele 41",
        ),
    ] {
        assert_eq!(address_texts(text), vec![want], "{text}");
    }
}

#[test]
fn ordinary_numbers_and_words_are_not_addresses() {
    for text in [
        "Chapter 3 Data Center is next",
        "we send it via HTTP 2 now",
        "String 3 and Spring 5 are versions",
        "returns 2 if the value is set",
    ] {
        assert!(
            address_texts(text).is_empty(),
            "{text}: {:?}",
            address_texts(text)
        );
    }
}
