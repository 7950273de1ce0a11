//! Writes the JSON Schema of the document to `schema/posture.schema.json`
//! (or to the path given), from the crate's types:
//!
//! ```text
//! cargo run --example schema --features schema
//! ```
//!
//! `tests/schema.rs` fails while the checked-in file differs from what this
//! writes.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/posture.schema.json")
        });
    let text = posture::schema::document_schema_json();
    if let Some(dir) = path.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("schema: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    match std::fs::write(&path, text) {
        Ok(()) => {
            eprintln!("schema: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("schema: cannot write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
