//! Validation against the checked-in JSON Schema, `schema/posture.schema.json`,
//! with the `jsonschema` crate (draft 2020-12). Included with `#[path]` by
//! the test binaries that validate documents.

use std::sync::OnceLock;

use serde_json::Value;

/// The checked-in schema, as the file holds it.
pub const SCHEMA_TEXT: &str = include_str!("../../schema/posture.schema.json");

/// The compiled validator (built once per test binary).
pub fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA_TEXT).expect("the schema file is JSON");
        jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("schema/posture.schema.json does not compile: {e}"))
    })
}

/// Every complaint the validator has about `doc`, with where it is.
pub fn errors(doc: &Value) -> Vec<String> {
    validator()
        .iter_errors(doc)
        .map(|e| {
            // The message quotes the failing instance, which can be a whole
            // mount table: keep the start.
            let msg = e.to_string();
            let short: String = msg.chars().take(400).collect();
            let more = if short.len() < msg.len() { " …" } else { "" };
            format!("{}: {short}{more}", e.instance_path())
        })
        .collect()
}

/// Fails the test, naming `what`, when `doc` does not validate.
pub fn assert_valid(what: &str, doc: &Value) {
    let errs = errors(doc);
    assert!(
        errs.is_empty(),
        "{what}: not valid against schema/posture.schema.json:\n  {}",
        errs.join("\n  ")
    );
}
