//! The architecture, checked: the pure core does no I/O (style guide, convention 1), the
//! modules of `src/` import each other without cycles, and every import goes down the layers
//! below. A failing line names the file and the offending use or edge.
//!
//! The graph is read from the code: every `crate::x` path (in `use` lines, groups like
//! `use crate::{a, b::c}`, and paths written in place) outside comments, string literals and
//! `#[cfg(test)]` items, between the top-level modules of `src/`. Tests may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import only from layers below its own (not from its
/// own layer either): a new module must be placed here, and an import that goes up fails.
///
/// The pure core is one module per layer, in pipeline order; `config` and `store` sit on it;
/// the edges (transport, tokens, the examine step) above them; the commands at the top.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &["pattern", "money", "language", "config_error"],
    ),
    ("core: parse", &["parse"]),
    ("core: screen", &["screen"]),
    ("core: sender_auth", &["sender_auth"]),
    ("core: budget", &["budget"]),
    ("core: customer", &["customer"]),
    ("core: classify", &["classify"]),
    ("core: confirm", &["confirm"]),
    ("core: accounts", &["accounts"]),
    ("core: locale", &["locale"]),
    ("core: policy", &["policy"]),
    ("core: localize", &["localize"]),
    ("core: render", &["render"]),
    ("core: plan", &["plan"]),
    (
        "I/O leaves",
        &["tls", "fault", "ownership", "clock", "event"],
    ),
    ("config and store", &["config", "store", "account_csv"]),
    ("a mailbox's store", &["mailbox_store"]),
    (
        "above config and store",
        &[
            "metrics", "scenario", "backup", "report", "learn", "examine",
        ],
    ),
    ("leases", &["lease"]),
    ("tokens", &["oauth"]),
    ("transport", &["intake", "send"]),
    ("billing", &["billing"]),
    ("audit", &["audit"]),
    ("the executor", &["apply"]),
    ("a mailbox opened", &["mailboxes"]),
    ("the directory loop", &["directory"]),
    ("command: run", &["run"]),
    ("commands", &["daemon", "check", "explain"]),
    ("command: leased", &["leased"]),
    ("top", &["replay", "service", "connect_check", "cli"]),
];

/// The pure core: every file of these modules is held to no I/O.
const PURE_MODULES: &[&str] = &[
    "parse",
    "screen",
    "sender_auth",
    "budget",
    "customer",
    "classify",
    "confirm",
    "accounts",
    "locale",
    "policy",
    "localize",
    "render",
    "plan",
    "money",
    "language",
];

#[test]
fn pure_stages_do_no_io() {
    let forbidden = regex::Regex::new(r"\b(tokio|rusqlite|lettre|async_imap|async fn|std::net|Timestamp::now|SystemTime::now|Zoned::now|std::fs)\b").unwrap();
    let mut found = Vec::new();
    let files = module_files();
    for module in PURE_MODULES {
        let paths = files
            .get(*module)
            .unwrap_or_else(|| panic!("PURE_MODULES names {module}, which is not in src/"));
        for file in paths {
            let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
            // Tests may touch the file system (fixtures); the code under test may not.
            let code = without_tests(&blank_comments_and_strings(&text));
            for (i, line) in code.lines().enumerate() {
                if let Some(m) = forbidden.find(line) {
                    found.push(format!("{}:{}: {}", file.display(), i + 1, m.as_str()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "I/O in the pure core:\n{}",
        found.join("\n")
    );
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = Graph::of_src();
    if let Some(cycle) = graph.cycle() {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("  {} -> {} ({})", w[0], w[1], graph.files(&w[0], &w[1])))
            .collect();
        panic!("import cycle {}:\n{}", cycle.join(" -> "), steps.join("\n"));
    }
}

#[test]
fn imports_go_down_the_layers() {
    let graph = Graph::of_src();
    let mut layer_of = BTreeMap::new();
    for (i, (_, modules)) in LAYERS.iter().enumerate() {
        for m in *modules {
            assert!(layer_of.insert(*m, i).is_none(), "{m} is in LAYERS twice");
        }
    }
    let mut problems = Vec::new();
    for module in graph.modules.iter() {
        if !layer_of.contains_key(module.as_str()) {
            problems.push(format!(
                "src/{module} is in no layer: add it to LAYERS in tests/architecture.rs"
            ));
        }
    }
    for module in layer_of.keys() {
        if !graph.modules.contains(*module) {
            problems.push(format!("LAYERS names {module}, which is not in src/"));
        }
    }
    for (from, targets) in &graph.edges {
        for to in targets.keys() {
            let (Some(&a), Some(&b)) = (layer_of.get(from.as_str()), layer_of.get(to.as_str()))
            else {
                continue;
            };
            if a <= b {
                problems.push(format!(
                    "{from} (layer \"{}\") imports {to} (layer \"{}\"), which is not below it: {}",
                    LAYERS[a].0,
                    LAYERS[b].0,
                    graph.files(from, to)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The edges the reader finds: a group, a path in place, and nothing from comments, strings
/// or test items (the reader must not be the reason the other tests pass).
#[test]
fn the_import_reader_finds_paths_and_skips_comments_strings_and_tests() {
    let text = r##"
use crate::{alpha::{A, B}, beta, self as me};
use std::fmt;
// use crate::comment_line;
/// [`crate::doc_comment`]
/* crate::block_comment */
fn f() -> crate::gamma::G {
    let s = "crate::in_string {";
    let r = r#"crate::in_raw_string"#;
    let c = '{';
    let _ = crate::delta::d();
}
#[cfg(test)]
fn helper() { crate::test_fn_only(); }
pub(crate) fn g() { crate::epsilon::e(); }
#[cfg(test)]
mod tests {
    use crate::test_only;
    fn h() { let _ = "}"; }
}
"##;
    let got = crate_heads(&without_tests(&blank_comments_and_strings(text)));
    let want: BTreeSet<String> = ["alpha", "beta", "gamma", "delta", "epsilon"]
        .map(String::from)
        .into();
    assert_eq!(got, want);
}

/// Top-level module name → its files (`src/x.rs`, `src/x/**.rs`).
fn module_files() -> BTreeMap<String, Vec<PathBuf>> {
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir("src").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            files.entry(name).or_default().extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            files.entry(name).or_default().push(path);
        }
    }
    files
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

struct Graph {
    modules: BTreeSet<String>,
    /// from → to → the files of `from` that import `to`.
    edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl Graph {
    fn of_src() -> Graph {
        let files = module_files();
        let modules: BTreeSet<String> = files.keys().cloned().collect();
        let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for (module, paths) in &files {
            for path in paths {
                let text = std::fs::read_to_string(path).unwrap();
                for head in crate_heads(&without_tests(&blank_comments_and_strings(&text))) {
                    // Items of the crate root (`crate::error_chain`) are not modules.
                    if head != *module && modules.contains(&head) {
                        edges
                            .entry(module.clone())
                            .or_default()
                            .entry(head)
                            .or_default()
                            .insert(path.display().to_string());
                    }
                }
            }
        }
        Graph { modules, edges }
    }

    fn files(&self, from: &str, to: &str) -> String {
        self.edges[from][to]
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One cycle, as the modules on it with the first repeated at the end.
    fn cycle(&self) -> Option<Vec<String>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        fn visit(
            g: &Graph,
            node: &str,
            marks: &mut BTreeMap<String, Mark>,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            marks.insert(node.to_string(), Mark::OnPath);
            path.push(node.to_string());
            for next in g.edges.get(node).into_iter().flat_map(|t| t.keys()) {
                match marks.get(next).copied().unwrap_or(Mark::New) {
                    Mark::OnPath => {
                        let start = path.iter().position(|m| m == next).unwrap();
                        let mut cycle = path[start..].to_vec();
                        cycle.push(next.clone());
                        return Some(cycle);
                    }
                    Mark::New => {
                        if let Some(cycle) = visit(g, next, marks, path) {
                            return Some(cycle);
                        }
                    }
                    Mark::Done => {}
                }
            }
            path.pop();
            marks.insert(node.to_string(), Mark::Done);
            None
        }
        let mut marks = BTreeMap::new();
        for module in &self.modules {
            if marks.get(module).copied().unwrap_or(Mark::New) == Mark::New
                && let Some(cycle) = visit(self, module, &mut marks, &mut Vec::new())
            {
                return Some(cycle);
            }
        }
        None
    }
}

/// The first segment of every `crate::` path in `code`, including each branch of a
/// `crate::{...}` group.
fn crate_heads(code: &str) -> BTreeSet<String> {
    let at = regex::Regex::new(r"\bcrate::").unwrap();
    let ident = regex::Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let mut heads = BTreeSet::new();
    for m in at.find_iter(code) {
        let rest = &code[m.end()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Each branch at the group's own depth starts with the head of a path.
            let mut depth = 0;
            let mut branch_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => branch_start = true,
                    _ if depth == 0 && branch_start && !c.is_whitespace() => {
                        branch_start = false;
                        if let Some(id) = ident.captures(&group[i..]) {
                            heads.insert(id[1].to_string());
                        }
                    }
                    _ => {}
                }
            }
        } else if let Some(id) = ident.captures(rest) {
            heads.insert(id[1].to_string());
        }
    }
    heads.remove("self");
    heads
}

/// `text` with comments and the contents of string and character literals replaced by spaces
/// (newlines kept, so line numbers stay).
fn blank_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"..." or r#"..."#, closed by a quote and as many hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    out.push('"');
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'); anything else is a lifetime.
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push('\'');
                    out.extend(std::iter::repeat_n(' ', end - i - 1));
                    out.push('\'');
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` (already blanked) without the items marked `#[cfg(test)]`: up to the end of the
/// item's `{ ... }` block, or its `;`.
fn without_tests(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let mut depth = 0;
        let mut end = item.len();
        for (i, c) in item.char_indices().skip(MARK.len()) {
            match c {
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        // Keep the line count, so that line numbers still point into the file.
        out.extend(item[..end].chars().filter(|c| *c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}
