//! No import circles between modules (issue 15's "shape" rule), checked on every crate of the
//! workspace that has a module tree: `gateway-core` and the desktop app.
//!
//! The rule: two modules with the same parent (siblings, at any depth: `config::edit` and
//! `config::schema`, or `config` and `secrets`) must not use each other, directly or through other
//! siblings. A parent re-exporting its children and a child using its parent's items are not edges
//! (that is what a module tree is). Every `use` tree and every `crate::…`/`super::…` path in code
//! counts, except test code (`#[cfg(test)]` modules and `*_tests.rs` files).
//!
//! The files are parsed with `syn`; a path is attributed to the longest module prefix it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path from the crate root (`[]` is the root).
type ModPath = Vec<String>;

/// One source file of the crate and the module it is.
struct SourceFile {
    module: ModPath,
    path: PathBuf,
}

/// Walks the module tree from the crate root file, following `mod x;` and `#[path]` declarations.
fn module_files(root_file: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut queue = vec![(Vec::new(), root_file.to_path_buf(), true)];
    while let Some((module, path, owns_dir)) = queue.pop() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(file) = syn::parse_file(&text) else {
            panic!("{} does not parse", path.display());
        };
        // Where `mod child;` files live: next to lib.rs/main.rs/mod.rs, else in a folder named
        // after the file.
        let dir = if owns_dir {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            path.with_extension("")
        };
        collect_mods(&file.items, &module, &dir, &mut queue);
        out.push(SourceFile { module, path });
    }
    out
}

/// Queues the file-backed `mod` declarations of `items` (test modules left out).
fn collect_mods(
    items: &[syn::Item],
    module: &ModPath,
    dir: &Path,
    queue: &mut Vec<(ModPath, PathBuf, bool)>,
) {
    for item in items {
        let syn::Item::Mod(declared) = item else {
            continue;
        };
        if is_test(&declared.attrs) {
            continue;
        }
        let mut child = module.clone();
        child.push(declared.ident.to_string());
        if let Some((_, items)) = &declared.content {
            // An inline module: its own `mod x;` children live in a folder named after it.
            collect_mods(items, &child, &dir.join(declared.ident.to_string()), queue);
            continue;
        }
        let explicit = declared.attrs.iter().find_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let name = declared.ident.to_string();
        match explicit {
            Some(file) => queue.push((child, dir.join(file), false)),
            None if dir.join(format!("{name}.rs")).exists() => {
                queue.push((child, dir.join(format!("{name}.rs")), false))
            }
            None => queue.push((child, dir.join(&name).join("mod.rs"), true)),
        }
    }
}

/// `#[cfg(test)]` (or any `cfg` naming `test`).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string().contains("test"))
    })
}

/// Every `crate::`/`super::`/`self::` path used in one file, as segments (test modules skipped).
#[derive(Default)]
struct Uses {
    paths: Vec<Vec<String>>,
}

impl Uses {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                if n.ident != "self" {
                    path.push(n.ident.to_string());
                }
                self.paths.push(path);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.paths.push(path);
            }
            syn::UseTree::Glob(_) => self.paths.push(prefix.clone()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_test(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if matches!(
            segments.first().map(String::as_str),
            Some("crate" | "super" | "self")
        ) {
            self.paths.push(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// The module a path from `from` names: `crate`/`super`/`self` resolved, then the longest prefix
/// that is a module of the crate.
fn target(from: &ModPath, path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &path[1..];
        }
        Some("self") => {
            base = from.clone();
            rest = &path[1..];
        }
        Some("super") => {
            base = from.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut best = base.clone();
    for segment in rest {
        base.push(segment.clone());
        if modules.contains(&base) {
            best = base.clone();
        } else {
            break;
        }
    }
    Some(best)
}

/// Sibling edges `parent → (a → {b: [files that make a use b]})`.
type Edges = BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, BTreeSet<String>>>>;

fn sibling_edges(files: &[SourceFile], root: &Path) -> Edges {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    let mut edges = Edges::new();
    for file in files {
        let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        let Ok(parsed) = syn::parse_file(&text) else {
            continue;
        };
        let mut uses = Uses::default();
        uses.visit_file(&parsed);
        for path in &uses.paths {
            let Some(to) = target(&file.module, path, &modules) else {
                continue;
            };
            let common = file
                .module
                .iter()
                .zip(&to)
                .take_while(|(a, b)| a == b)
                .count();
            if common < file.module.len() && common < to.len() {
                let shown = file
                    .path
                    .strip_prefix(root)
                    .unwrap_or(&file.path)
                    .display()
                    .to_string();
                edges
                    .entry(file.module[..common].to_vec())
                    .or_default()
                    .entry(file.module[common].clone())
                    .or_default()
                    .entry(to[common].clone())
                    .or_default()
                    .insert(format!("{shown}: {}", path.join("::")));
            }
        }
    }
    edges
}

/// The circles among one parent's children (each reported once, from its smallest member).
fn circles(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<Vec<String>> {
    fn reach(
        graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        start: &str,
        node: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if next == start {
                let mut circle = path.clone();
                circle.push(start.to_owned());
                found.push(circle);
            } else if next.as_str() > start && seen.insert(next.clone()) {
                path.push(next.clone());
                reach(graph, start, next, path, seen, found);
                path.pop();
            }
        }
    }
    let mut found = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        reach(
            graph,
            start,
            start,
            &mut vec![start.clone()],
            &mut seen,
            &mut found,
        );
    }
    found
}

fn report(crate_root: &Path, root_file: &str) -> Vec<String> {
    let files = module_files(&crate_root.join("src").join(root_file));
    assert!(
        files.len() > 5,
        "found only {} modules under {}: the walk is broken",
        files.len(),
        crate_root.display()
    );
    let edges = sibling_edges(&files, crate_root);
    let mut problems = Vec::new();
    for (parent, graph) in &edges {
        for circle in circles(graph) {
            let scope = if parent.is_empty() {
                "crate".to_owned()
            } else {
                parent.join("::")
            };
            let mut text = format!("circle in {scope}: {}", circle.join(" -> "));
            for pair in circle.windows(2) {
                if let Some(why) = graph.get(&pair[0]).and_then(|m| m.get(&pair[1])) {
                    let first: Vec<&String> = why.iter().take(3).collect();
                    text.push_str(&format!(
                        "\n    {} -> {}: {}",
                        pair[0],
                        pair[1],
                        first
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
            }
            problems.push(text);
        }
    }
    problems
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

#[test]
fn gateway_core_has_no_import_circles() {
    let problems = report(&workspace().join("gateway-core"), "lib.rs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_desktop_app_has_no_import_circles() {
    let problems = report(&workspace().join("src-tauri"), "lib.rs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_finds_a_circle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("b")).expect("dirs");
    for (file, text) in [
        ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
        ("a.rs", "use crate::b::Thing;\npub struct A;\n"),
        ("b/mod.rs", "mod inner;\npub use inner::Thing;\n"),
        (
            "b/inner.rs",
            "pub struct Thing(crate::c::C);\nuse super::super::d::D;\n",
        ),
        ("c.rs", "pub struct C(pub crate::a::A);\n"),
        (
            "d.rs",
            "pub struct D;\n#[cfg(test)]\nmod tests { use crate::a::A; }\n",
        ),
    ] {
        std::fs::write(src.join(file), text).expect("write");
    }
    let files = module_files(&src.join("lib.rs"));
    assert_eq!(files.len(), 6);
    let edges = sibling_edges(&files, dir.path());
    let found = circles(&edges[&Vec::<String>::new()]);
    assert_eq!(
        found,
        vec![vec!["a".to_string(), "b".into(), "c".into(), "a".into()]]
    );
}
