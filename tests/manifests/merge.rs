//! Applying an emitted patch in the tests (`--format k8s-patch` or
//! `--format compose`): the patch's YAML read with yaml-rust2 as JSON, and
//! merged the way `kubectl patch --type strategic` merges a pod spec
//! (mappings key by key, `containers` by name, other lists and scalars
//! replaced) or the way the compose output says (each key replaces the
//! service's own, `security_opt`'s entries are added to the service's).
//! Shared by tests/manifest_play.rs and
//! tests/compose_play.rs through `#[path]`.

#![allow(dead_code)]

use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

/// The first document of `text` as JSON.
pub fn yaml_to_json(text: &str) -> Value {
    fn conv(y: &Yaml) -> Value {
        match y {
            Yaml::Null => Value::Null,
            Yaml::Boolean(b) => json!(b),
            Yaml::Integer(i) => json!(i),
            Yaml::Real(_) => json!(y.as_f64().expect("a float")),
            Yaml::String(s) => json!(s),
            Yaml::Array(a) => Value::Array(a.iter().map(conv).collect()),
            Yaml::Hash(h) => Value::Object(
                h.iter()
                    .map(|(k, v)| (k.as_str().expect("string keys").to_string(), conv(v)))
                    .collect(),
            ),
            other => panic!("unexpected YAML node {other:?}"),
        }
    }
    let docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    docs.first().map(conv).unwrap_or(Value::Null)
}

/// The check ids the patch's fields cover: the last `# id` of each line
/// that is not a comment, less those a comment line (`# id: ...`) says a
/// field does not wholly fix (resource_limits: the pids limit is no
/// manifest field).
pub fn covered(patch: &str) -> Vec<String> {
    let partial: Vec<&str> = patch
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter_map(|l| l.split_once(": ").map(|(id, _)| id))
        .collect();
    let mut ids: Vec<String> = patch
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains("  # "))
        .map(|l| l.rsplit("# ").next().unwrap().trim().to_string())
        .filter(|id| !partial.contains(&id.as_str()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// From the `--check --json` output `out`: its expectations (declared
/// fields), and what is not as expected: each of `ids` whose check's status
/// is not `status`, and each expectation that did not pass (drift).
pub fn judged(
    out: &str,
    ids: &[String],
    status: &str,
) -> Result<(Vec<Value>, Vec<String>), String> {
    let doc: Value = serde_json::from_str(out).map_err(|e| format!("{e}: {out}"))?;
    let checks = doc["assessment"]["checks"].as_array().unwrap();
    let mut bad = Vec::new();
    for id in ids {
        match checks.iter().find(|c| c["id"] == **id) {
            Some(c) if c["status"] == status => {}
            Some(c) => bad.push(format!("{id} not {status}: {c}")),
            None => bad.push(format!("{id} not among the checks")),
        }
    }
    let expectations = doc["assessment"]["expectations"].as_array().unwrap();
    for e in expectations {
        if e["status"] != "pass" {
            bad.push(format!("drift {e}"));
        }
    }
    Ok((expectations.clone(), bad))
}

/// A strategic merge of `patch` into `into`: mappings key by key, a
/// `containers` list by each entry's `name`, anything else replaced.
pub fn merge(into: &mut Value, patch: &Value) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match (k.as_str(), a.get_mut(k), v) {
                    ("containers", Some(Value::Array(have)), Value::Array(want)) => {
                        for w in want {
                            let slot = have.iter_mut().find(|h| h["name"] == w["name"]);
                            match slot {
                                Some(h) => merge(h, w),
                                None => have.push(w.clone()),
                            }
                        }
                    }
                    (_, Some(have), _) if have.is_object() && v.is_object() => merge(have, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (into, patch) => *into = patch.clone(),
    }
}

/// The compose patch's service keys `keys` merged into the service `svc`
/// the way its header says: each key replaces the service's own, but
/// `security_opt`'s entries are added to the service's, each replacing
/// only an entry of the same option (`no-new-privileges:true` replaces
/// `no-new-privileges:false`, and keeps `seccomp=...`).
pub fn merge_service(svc: &mut Value, keys: &Value) {
    let option = |e: &Value| {
        let s = e.as_str().expect("security_opt entries are strings");
        s.split([':', '=']).next().unwrap().to_string()
    };
    let (Value::Object(svc), Value::Object(keys)) = (svc, keys) else {
        panic!("a service and the patch's keys are mappings: {keys}");
    };
    for (k, v) in keys {
        match (k.as_str(), svc.get_mut(k), v) {
            ("security_opt", Some(Value::Array(have)), Value::Array(add)) => {
                for a in add {
                    have.retain(|h| option(h) != option(a));
                    have.push(a.clone());
                }
            }
            _ => {
                svc.insert(k.clone(), v.clone());
            }
        }
    }
}
