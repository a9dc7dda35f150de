//! The crate's modules form layers, and each imports only from the layers below it.
//!
//! The rule, top to bottom (the same picture as the crate docs in `src/lib.rs`):
//!
//! | layer | modules | holds |
//! |---|---|---|
//! | 1 | `cli` | the commands of the binary |
//! | 2 | `server` | the HTTP server around the app |
//! | 3 | `app` | the App factory and the request middleware |
//! | 4 | `api` | handlers, DTOs, the OpenAPI document |
//! | 5 | `state`, `seed` | what handlers share; the demo and synthetic data |
//! | 6 | `services` | use cases, one transaction each |
//! | 7 | `models`, `auth` | diesel rows and queries; keys, roles, the Principal |
//! | 8 | `db` | pool, backends, transactions, migrations, schema |
//! | 9 | `config`, `error`, `metrics`, `cache` | configuration; ApiError and its codes; counters; answers kept by version |
//! | 10 | `request_context` | the id and path of the request being served |
//! | 11 | `domain` | pure types and rules |
//!
//! A module may name (in a `use`, a path, an attribute or a macro) any module of a *lower*
//! layer, and itself; never one of its own layer or above. So `domain` imports nothing of the
//! crate, `models` neither `services` nor `api`, `services` neither `api` nor `app`, only
//! `cli` and `server` import `app`, and no import loop can form between layers. `main.rs` is
//! the binary and uses the library from outside.
//!
//! The test reads `src/**/*.rs` with comments and string literals blanked out and collects
//! every `crate::…` and `$crate::…` path, every `crate::{…}` group and every `super::…` that
//! climbs out of its top-level module. [`ALLOWED`] lists the edges that break the rule today,
//! each with the change that removes it; an entry no longer needed fails the test too, so the
//! list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top to bottom; modules of one layer may not import each other.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["server"],
    &["app"],
    &["api"],
    &["state", "seed"],
    &["services"],
    &["models"],
    &["auth"],
    &["db"],
    &["config", "error", "metrics", "cache"],
    &["request_context"],
    &["domain"],
];

/// Edges that break the rule today: (from, to).
const ALLOWED: &[(&str, &str)] = &[];

#[test]
fn every_module_imports_only_from_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (*m, i)))
        .collect();
    let (modules, edges) = edges(&src);
    let mut broken: Vec<String> = modules
        .iter()
        .filter(|m| !rank.contains_key(m.as_str()))
        .map(|m| format!("{m}: a top-level module missing from LAYERS; place it"))
        .collect();
    let mut used = BTreeSet::new();
    for ((from, to), at) in &edges {
        let (Some(&f), Some(&t)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
            continue;
        };
        if t > f {
            continue;
        }
        if ALLOWED.contains(&(from.as_str(), to.as_str())) {
            used.insert((from.as_str(), to.as_str()));
            continue;
        }
        broken.push(format!("{from} → {to} ({at})"));
    }
    for entry in ALLOWED {
        if !used.contains(entry) {
            broken.push(format!(
                "{} → {} no longer occurs: delete its ALLOWED entry",
                entry.0, entry.1
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layers (a module may import only from layers below it):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn the_reader_finds_paths_and_skips_comments_and_strings() {
    let code = r##"
        //! [`crate::app`] in a doc comment
        use crate::{db::{self, Pool}, error::ApiError};
        use crate::models::x; /* crate::api */ let s = "crate::api"; let r = r#"crate::cli"#;
        let c = '"'; let l: &'static str = crate::domain::X;
        mod tests { use super::super::super::config; pub(super) fn f() {} }
        macro_rules! m { () => { $crate::metrics::M } }
    "##;
    let found: BTreeSet<String> = paths(code, &["services".to_owned(), "x".to_owned()])
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    let expected = ["config", "db", "domain", "error", "metrics", "models"];
    assert_eq!(found, expected.iter().map(|s| s.to_string()).collect());
}

/// The top-level modules, and every (from, to) edge between them with the first place it
/// occurs.
type Edges = BTreeMap<(String, String), String>;

fn edges(src: &Path) -> (BTreeSet<String>, Edges) {
    let mut modules = BTreeSet::new();
    let mut edges = Edges::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).expect("under src");
        let mut module: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        if matches!(module.as_slice(), [only] if only == "lib" || only == "main") {
            continue;
        }
        modules.insert(module[0].clone());
        let text = std::fs::read_to_string(&file).expect("read");
        for (to, line) in paths(&text, &module) {
            if to != module[0] {
                edges
                    .entry((module[0].clone(), to))
                    .or_insert_with(|| format!("{}:{line}", rel.display()));
            }
        }
    }
    (modules, edges)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level modules that `code`, the text of module `module`, names, with their lines.
fn paths(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let tokens = tokens(code);
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) open below the file's module: (name, brace depth).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let (tok, line) = (&tokens[i].0, tokens[i].1);
        match tok.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t.0 == "{") => {
                inline.push((tokens[i + 1].0.clone(), depth));
            }
            "crate" if tokens.get(i + 1).is_some_and(|t| t.0 == "::") => {
                match tokens.get(i + 2).map(|t| t.0.as_str()) {
                    Some("{") => {
                        found.extend(group(&tokens[i + 2..]).into_iter().map(|m| (m, line)))
                    }
                    Some(name) if is_ident(name) => found.push((name.to_owned(), line)),
                    _ => {}
                }
            }
            "super" if i == 0 || tokens[i - 1].0 != "::" => {
                let mut up = 0;
                let mut j = i;
                while tokens.get(j).is_some_and(|t| t.0 == "super")
                    && tokens.get(j + 1).is_some_and(|t| t.0 == "::")
                {
                    up += 1;
                    j += 2;
                }
                let here = module.len() + inline.len();
                if up >= here {
                    // Climbed to the crate root: what follows is a top-level module.
                    match tokens.get(j).map(|t| t.0.as_str()) {
                        Some("{") => {
                            found.extend(group(&tokens[j..]).into_iter().map(|m| (m, line)))
                        }
                        Some(name) if is_ident(name) => found.push((name.to_owned(), line)),
                        _ => {}
                    }
                }
                i = j.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The first segments of a `{a, b::c, d::{e, f}}` group (the tokens start at its `{`).
fn group(tokens: &[(String, usize)]) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    for (tok, _) in tokens {
        match tok.as_str() {
            "{" => {
                depth += 1;
                at_start = depth == 1;
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => at_start = true,
            name if at_start && depth == 1 && is_ident(name) => {
                names.push(name.to_owned());
                at_start = false;
            }
            _ => at_start = false,
        }
    }
    names.retain(|n| n != "self");
    names
}

fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Identifiers, `::` and single punctuation characters, with their lines; comments, string,
/// byte-string, raw-string and character literals are dropped.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nest = 0;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('/'), Some('*')) => {
                        nest += 1;
                        i += 2;
                    }
                    (Some('*'), Some('/')) => {
                        nest -= 1;
                        i += 2;
                        if nest == 0 {
                            break;
                        }
                    }
                    (Some(ch), _) => {
                        if *ch == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    (None, _) => break,
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1, 0, &mut line);
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'), or else a lifetime or label.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let prefix = matches!(word.as_str(), "r" | "b" | "br" | "c" | "cr");
            if prefix && matches!(chars.get(i), Some('"') | Some('#')) {
                let raw = word.contains('r');
                let mut hashes = 0;
                while raw && chars.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if chars.get(i + hashes) == Some(&'"') {
                    i = skip_string(
                        &chars,
                        i + hashes + 1,
                        if raw { hashes + 1 } else { 0 },
                        &mut line,
                    );
                    continue;
                }
            }
            out.push((word, line));
        } else if c == ':' && next == Some(':') {
            out.push(("::".to_owned(), line));
            i += 2;
        } else if c == '$' {
            // `$crate` reads as `crate`.
            i += 1;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

/// Skips a string literal whose body starts at `i`: escaped unless `raw` (closing quote plus
/// `raw - 1` hashes). Returns the index after it.
fn skip_string(chars: &[char], mut i: usize, raw: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\n' => *line += 1,
            '\\' if raw == 0 => {
                if chars.get(i + 1) == Some(&'\n') {
                    *line += 1;
                }
                i += 1;
            }
            '"' => {
                let hashes = raw.saturating_sub(1);
                if (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    return i + 1 + hashes;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}
