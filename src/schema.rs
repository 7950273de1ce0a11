//! The JSON Schema of the [`Document`] (feature `schema`).
//!
//! The schema is derived with `schemars` from the same types serde writes,
//! so it follows the code; the few types whose `Serialize` is written by
//! hand ([`CapSet`], [`Mount`], [`MountSummary`], [`Syscall`]) get their
//! schema written by hand here, next to each other, from those impls.
//!
//! It is strict where the output is fixed: every object lists its required
//! keys and rejects keys it does not list, every enum lists its values. It
//! describes exactly what this version of the crate writes; a consumer that
//! wants to accept later versions' added keys (`SCHEMA.md`: "new fields may
//! appear within a version") reads with the forward-compatible rule, not
//! this schema.
//!
//! The checked-in copy, `schema/posture.schema.json`, is written by
//! `cargo run --example schema --features schema`; `tests/schema.rs` fails when it differs from
//! [`document_schema_json`] and validates every fixture's document against it.
//!
//! ```
//! let schema = posture::schema::document_schema_json();
//! assert!(schema.contains(r#""$schema": "https://json-schema.org/draft/2020-12/schema""#));
//! ```

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::parse::capability::{CapSet, capability_from_bit};
use crate::parse::mountinfo::{Mount, Propagation};
use crate::render::json::Document;
use crate::report::MountSummary;
use crate::report::SCHEMA_VERSION;
use crate::report::Syscall;

/// The command that rewrites `schema/posture.schema.json` from the code.
pub(crate) const REGENERATE: &str = "cargo run --example schema --features schema";

/// The schema of [`Document`] (JSON Schema draft 2020-12).
pub(crate) fn document_schema() -> Schema {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(Strict)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Document<'static>>();
    schema.insert(
        "title".into(),
        format!("posture JSON document, schema_version {SCHEMA_VERSION}").into(),
    );
    schema.insert(
        "description".into(),
        format!(
            "What `posture --json` and `posture --check --json` (and posture::render::json::Document) write. \
             Generated from the crate's types; see SCHEMA.md for what each field means. \
             Regenerate with `{REGENERATE}`."
        )
        .into(),
    );
    // What serde's attributes do not tell schemars: the version is a
    // constant, an absent assessment is left out (never null), the
    // overrides are keyed by check ids, and `overridden_checks` is there
    // exactly when `overrides` is not empty.
    set(
        &mut schema,
        "/properties/schema_version",
        serde_json::json!({ "const": SCHEMA_VERSION }),
    );
    set(
        &mut schema,
        "/properties/assessment",
        serde_json::json!({ "description": "The judgement, if one was made (absent otherwise).", "$ref": "#/$defs/Assessment" }),
    );
    set(
        &mut schema,
        "/$defs/Assessment/properties/overrides/propertyNames",
        serde_json::json!({ "$ref": "#/$defs/CheckId" }),
    );
    set(
        &mut schema,
        "/$defs/Assessment/properties/overridden_checks/minItems",
        serde_json::json!(1),
    );
    set(
        &mut schema,
        "/$defs/Assessment/if",
        serde_json::json!({ "properties": { "overrides": { "minProperties": 1 } } }),
    );
    set(
        &mut schema,
        "/$defs/Assessment/then",
        serde_json::json!({ "required": ["overridden_checks"] }),
    );
    set(
        &mut schema,
        "/$defs/Assessment/else",
        serde_json::json!({ "properties": { "overridden_checks": false } }),
    );
    schema
}

/// Sets the value at `pointer`, whose parent must exist: a type renamed
/// under it fails here, not silently in the file.
fn set(schema: &mut Schema, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let Some(obj) = schema.pointer_mut(parent).and_then(Value::as_object_mut) else {
        panic!("schema has no object at {parent}");
    };
    obj.insert(key.to_string(), value);
}

/// The JSON Schema (draft 2020-12) of the [`Document`], as the checked-in file holds it: pretty-printed,
/// ending in a newline.
pub fn document_schema_json() -> String {
    let mut s =
        serde_json::to_string_pretty(&document_schema()).expect("a schema is JSON and serializes");
    s.push('\n');
    s
}

/// Closes every object schema: a key the type does not list fails.
///
/// `unevaluatedProperties` (not `additionalProperties`) so that keys
/// brought in through `oneOf`/`allOf` (a flattened, internally tagged enum
/// such as a syscall's outcome) count as listed. Only the object's own
/// level is closed, never a branch of its `oneOf`, which sees only its own
/// keys.
#[derive(Clone)]
struct Strict;

/// Marks a branch of `oneOf`/`anyOf`/`allOf` while [`Strict`] recurses.
const BRANCH: &str = "x-posture-branch";

impl Transform for Strict {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(obj) = schema.as_object_mut() {
            for k in ["oneOf", "anyOf", "allOf"] {
                for b in obj
                    .get_mut(k)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(b) = b.as_object_mut() {
                        b.insert(BRANCH.into(), true.into());
                    }
                }
            }
        }
        transform_subschemas(self, schema);
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if obj.remove(BRANCH).is_some() {
            return;
        }
        let is_object = obj.get("type").and_then(Value::as_str) == Some("object");
        let branches_are_objects = ["oneOf", "anyOf"].iter().any(|k| {
            obj.get(*k).and_then(Value::as_array).is_some_and(|b| {
                b.iter().all(|s| {
                    s.get("type").and_then(Value::as_str) == Some("object")
                        || s.get("properties").is_some()
                })
            })
        });
        let map = obj.contains_key("additionalProperties") && !obj.contains_key("properties");
        if (is_object || branches_are_objects) && !map {
            obj.insert("unevaluatedProperties".into(), false.into());
        }
    }
}

impl JsonSchema for CapSet {
    fn schema_name() -> Cow<'static, str> {
        "CapSet".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<String> = (0..64)
            .filter_map(capability_from_bit)
            .map(|c| c.to_string())
            .collect();
        json_schema!({
            "description": "A capability set: its mask, the kernel names of the bits this crate knows, the other bits as numbers.",
            "type": "object",
            "properties": {
                "hex": { "type": "string", "pattern": "^[0-9a-f]{16}$" },
                "names": { "type": "array", "items": { "enum": names }, "uniqueItems": true },
                "unknown_bits": {
                    "type": "array",
                    "items": { "type": "integer", "minimum": 0, "maximum": 63 },
                    "uniqueItems": true
                }
            },
            "required": ["hex", "names", "unknown_bits"]
        })
    }
}

impl JsonSchema for Syscall {
    fn schema_name() -> Cow<'static, str> {
        "Syscall".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Syscall::ALL.iter().map(|s| s.name()).collect();
        json_schema!({
            "description": "A probed system call, by its kernel name.",
            "enum": names
        })
    }
}

/// The keys both [`Mount`] and [`MountSummary`] write.
fn mount_properties(generator: &mut SchemaGenerator) -> serde_json::Map<String, Value> {
    let string = serde_json::json!({ "type": "string" });
    let boolean = serde_json::json!({ "type": "boolean" });
    let mut p = serde_json::Map::new();
    for k in ["mount_point", "fstype", "source", "root"] {
        p.insert(k.into(), string.clone());
    }
    for k in ["read_only", "nosuid", "noexec", "nodev"] {
        p.insert(k.into(), boolean.clone());
    }
    p.insert(
        "propagation".into(),
        generator.subschema_for::<Propagation>().to_value(),
    );
    p
}

impl JsonSchema for MountSummary {
    fn schema_name() -> Cow<'static, str> {
        "MountSummary".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let p = mount_properties(generator);
        let required: Vec<&String> = p.keys().collect();
        json_schema!({
            "description": "A mount as the report lists it: where, what, flags.",
            "type": "object",
            "properties": p,
            "required": required
        })
    }
}

impl JsonSchema for Mount {
    fn schema_name() -> Cow<'static, str> {
        "Mount".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut p = mount_properties(generator);
        let u32_schema = generator.subschema_for::<u32>().to_value();
        for k in ["id", "parent", "major", "minor"] {
            p.insert(k.into(), u32_schema.clone());
        }
        for k in ["options", "super_options"] {
            p.insert(k.into(), serde_json::json!({ "type": "string" }));
        }
        let required: Vec<&String> = p.keys().collect();
        json_schema!({
            "description": "One line of mountinfo, as parsed.",
            "type": "object",
            "properties": p,
            "required": required
        })
    }
}
