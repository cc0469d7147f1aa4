//! Embeds `checks/` and `reports/` into the binary so it works anywhere.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut code = String::new();
    for (name, dir) in [("CHECK_FILES", "checks"), ("REPORT_FILES", "reports")] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files = Vec::new();
        walk(&root.join(dir), &mut files);
        files.sort();
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for file in files {
            let relative = file.strip_prefix(&root).expect("walked under root");
            // The path is joined at compile time from CARGO_MANIFEST_DIR, not
            // written out absolute: a build directory reused by a checkout in
            // another place (CI's clean clone) must not embed stale files.
            let relative = relative.to_string_lossy().replace('\\', "/");
            writeln!(
                code,
                "    ({relative:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{relative}\"))),"
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("write embedded.rs");
}
