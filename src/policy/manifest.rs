//! A Kubernetes manifest as a policy (feature `manifest`): the Pod, or the
//! workload's pod template, that deployed the container, read so that each
//! declared security field becomes an [`Expectation`] judged against what
//! the kernel shows ([`super::expect`]).
//!
//! Accepted: a `Pod`; a `Deployment`, `StatefulSet`, `DaemonSet`,
//! `ReplicaSet`, `ReplicationController` or `Job` (`spec.template`); a
//! `CronJob` (`spec.jobTemplate.spec.template`); a `List` of them (`items`);
//! several of them as multi-document YAML (`---`). Documents of other kinds
//! (a `ConfigMap`, a `Service`) beside a workload are skipped; a file with
//! no workload at all is an error naming the kinds it holds.
//!
//! A Compose file (a top-level `services` mapping, no `kind`) is read too:
//! the service is chosen like a container; see `compose` below for its fields.
//!
//! Which container: the one named (`--container NAME`, `POSTURE_CONTAINER`;
//! `WORKLOAD/NAME` where two workloads have a container of that name), or
//! else the only one; several and none named is an error naming the
//! choices ([`ManifestError::ChooseContainer`]). `initContainers` are
//! choices too.
//!
//! The derived policy is the `checklist` preset (its hardening checks) plus
//! the expectations. Another base: the annotation `posture/extends:
//! pss-restricted` on the pod (template) metadata, or print the policy
//! (`posture --print-policy`) and edit its `extends` and `[checks]`.
//!
//! # Kubernetes' precedence, as applied here
//!
//! `runAsUser`, `runAsGroup`, `runAsNonRoot`, `seLinuxOptions`,
//! `seccompProfile` and `appArmorProfile`: the container's
//! `securityContext` field when set (the whole object for the last three),
//! else the pod's. AppArmor: the container's field, else the annotation
//! `container.apparmor.security.beta.kubernetes.io/<name>`, else the pod's
//! field. `supplementalGroups`, `hostNetwork`, `hostPID`, `hostIPC`,
//! `hostUsers`, `automountServiceAccountToken`, `volumes`: the pod's only.
//! `capabilities`, `privileged`, `allowPrivilegeEscalation`,
//! `readOnlyRootFilesystem`, `procMount`, `resources`: the container's only
//! (`capabilities` of a `privileged: true` container set no expectation:
//! a privileged container holds every capability).
//! Each expectation names the field where it was declared.
//!
//! # Hostile input
//!
//! The YAML is read event by event (yaml-rust2's pull parser), building a
//! tree of at most [`MAX_NODES`] nodes, counting every alias as the whole
//! subtree it stands for (so a "billion laughs" document stops at the cap
//! after reading a few hundred bytes), and at most [`MAX_DEPTH`] levels.
//! The file itself is bounded by the policy loader (1 MiB). Every error
//! names the file and, past parsing, the field path
//! ([`ManifestError`]).

use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::expect::{Expectation, Profile, Rule, kernel_cap_name};
use super::{Policy, Preset};

/// The most nodes a manifest may hold, aliases counted as what they expand to.
pub const MAX_NODES: usize = 200_000;
/// The deepest nesting of sequences and mappings.
pub const MAX_DEPTH: usize = 64;

/// The annotation that names the preset a manifest-derived policy starts from.
pub(crate) const EXTENDS_ANNOTATION: &str = "posture/extends";

/// Why a manifest could not be read as a policy. Each message names the
/// file and, where there is one, the field path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not valid YAML.
    #[error("{file}:{line}:{col}: not valid YAML: {message}")]
    Yaml {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// The parser's message.
        message: String,
    },
    /// More nodes than [`MAX_NODES`], aliases expanded.
    #[error(
        "{file}: more than {limit} YAML nodes (aliases counted as what they expand to): refused"
    )]
    TooManyNodes {
        /// The file.
        file: String,
        /// The limit.
        limit: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("{file}: nested deeper than {limit} levels: refused")]
    TooDeep {
        /// The file.
        file: String,
        /// The limit.
        limit: usize,
    },
    /// A mapping key that is not a scalar, or appears twice.
    #[error("{file}: {field}: {problem}")]
    BadKey {
        /// The file.
        file: String,
        /// Where.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// A field of the wrong type.
    #[error("{file}: {field}: expected {expected}, found {found}")]
    WrongType {
        /// The file.
        file: String,
        /// The field path.
        field: String,
        /// What the field must be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// A value of the right type that means nothing here.
    #[error("{file}: {field}: {value:?} is not {expected}")]
    BadValue {
        /// The file.
        file: String,
        /// The field path.
        field: String,
        /// The value.
        value: String,
        /// What it must be.
        expected: String,
    },
    /// A document whose kind has no pod template, and nothing else.
    #[error(
        "{file}: no Pod or workload with a pod template (kinds found: {kinds}; accepted: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, List)"
    )]
    NoWorkload {
        /// The file.
        file: String,
        /// The kinds it holds.
        kinds: String,
    },
    /// Several containers and none chosen.
    #[error(
        "{file}: {n} containers; choose one with --container NAME or POSTURE_CONTAINER (choices: {choices})",
        n = choices.len(),
        choices = choices.join(", ")
    )]
    ChooseContainer {
        /// The file.
        file: String,
        /// Every container, `NAME` or `WORKLOAD/NAME` where ambiguous.
        choices: Vec<String>,
    },
    /// The container named is not there, or is ambiguous.
    #[error(
        "{file}: {problem} container {name:?} (choices: {choices})",
        choices = choices.join(", ")
    )]
    NoSuchContainer {
        /// The file.
        file: String,
        /// The name given.
        name: String,
        /// `no` or `more than one`.
        problem: &'static str,
        /// Every container.
        choices: Vec<String>,
    },
}

/// A YAML node as the reader keeps it: scalars typed as YAML 1.2's core
/// schema types them, mappings with string keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~`, or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Any other scalar (floats stay text: `0.5` for a CPU quantity).
    Str(String),
    /// A sequence.
    Seq(Vec<Rc<Node>>),
    /// A mapping.
    Map(Vec<(String, Rc<Node>)>),
}

impl Node {
    fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) => "an integer",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| &**v),
            _ => None,
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Rc<Node>>,
        anchor: usize,
        start: usize,
    },
    Map {
        entries: Vec<(String, Rc<Node>)>,
        key: Option<String>,
        anchor: usize,
        start: usize,
    },
}

fn scalar(value: String, style: TScalarStyle, tag: Option<&yaml_rust2::parser::Tag>) -> Node {
    if tag.is_some_and(|t| t.suffix == "str") || style != TScalarStyle::Plain {
        return Node::Str(value);
    }
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Node::Null,
        "true" | "True" | "TRUE" => Node::Bool(true),
        "false" | "False" | "FALSE" => Node::Bool(false),
        v => v.parse::<i64>().map_or(Node::Str(value), Node::Int),
    }
}

/// Reads every document of a YAML stream into bounded trees ([`MAX_NODES`]
/// with aliases expanded, [`MAX_DEPTH`]). `file` names it in errors.
pub fn read_yaml(text: &str, file: &str) -> Result<Vec<Rc<Node>>, ManifestError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Rc<Node>, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let bad_key = |field: &str, problem: &str| ManifestError::BadKey {
        file: file.to_string(),
        field: field.to_string(),
        problem: problem.to_string(),
    };
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| ManifestError::Yaml {
            file: file.to_string(),
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        // A finished node, its anchor and its expanded size.
        let done: Option<(Rc<Node>, usize, usize, usize)> = match ev {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
            Event::Alias(id) => {
                let (node, size) =
                    anchors
                        .get(&id)
                        .cloned()
                        .ok_or_else(|| ManifestError::Yaml {
                            file: file.to_string(),
                            line: mark.line(),
                            col: mark.col() + 1,
                            message: "alias to an unknown anchor".into(),
                        })?;
                Some((node, 0, size, size))
            }
            Event::Scalar(v, style, anchor, tag) => {
                Some((Rc::new(scalar(v, style, tag.as_ref())), anchor, 1, 1))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ManifestError::TooDeep {
                        file: file.to_string(),
                        limit: MAX_DEPTH,
                    });
                }
                let start = nodes;
                stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        start,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        anchor,
                        start,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    items,
                    anchor,
                    start,
                }) => Some((Rc::new(Node::Seq(items)), anchor, nodes - start + 1, 1)),
                Some(Frame::Map {
                    entries,
                    anchor,
                    start,
                    ..
                }) => Some((Rc::new(Node::Map(entries)), anchor, nodes - start + 1, 1)),
                None => None,
            },
        };
        // `add`: what this node costs: 1 for a scalar or a collection (whose
        // children were counted as they came), the whole subtree for an alias.
        let Some((node, anchor, size, add)) = done else {
            continue;
        };
        nodes = nodes.saturating_add(add);
        if nodes > MAX_NODES {
            return Err(ManifestError::TooManyNodes {
                file: file.to_string(),
                limit: MAX_NODES,
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => match &*node {
                    Node::Str(s) => *key = Some(s.clone()),
                    Node::Int(i) => *key = Some(i.to_string()),
                    Node::Bool(b) => *key = Some(b.to_string()),
                    Node::Null => *key = Some(String::new()),
                    _ => {
                        return Err(bad_key(
                            &format!("line {}", mark.line()),
                            "a mapping key must be a scalar",
                        ));
                    }
                },
                Some(k) => {
                    if entries.iter().any(|(e, _)| *e == k) {
                        return Err(bad_key(
                            &format!("line {}", mark.line()),
                            &format!("key {k:?} appears twice in one mapping"),
                        ));
                    }
                    entries.push((k, node));
                }
            },
        }
    }
    Ok(docs)
}

/// Whether a policy file's text is a Kubernetes manifest rather than a
/// TOML or JSON policy document: a top-level `apiVersion:` or `kind:` key
/// (YAML), or a JSON object holding `"apiVersion"`; a Compose file: a
/// top-level `services:` key, or a JSON object with a `"services":` key.
/// Policy documents have none of these keys.
pub(crate) fn looks_like_manifest(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with('{') {
        let compose = t
            .match_indices("\"services\"")
            .any(|(i, k)| t[i + k.len()..].trim_start().starts_with(':'));
        return (t.contains("\"apiVersion\"") && t.contains("\"kind\"")) || compose;
    }
    text.lines().any(|l| {
        l.starts_with("apiVersion:") || l.starts_with("kind:") || l.starts_with("services:")
    })
}

/// A Compose size (`256m`, `1g`, `512k`, `1048576`, `1.5g`): binary units,
/// as Docker and podman read them.
fn compose_bytes(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, shift) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 10),
        'm' => (&t[..t.len() - 1], 20),
        'g' => (&t[..t.len() - 1], 30),
        't' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let unit = format!("{num}{}", ["", "Ki", "Mi", "Gi", "Ti"][shift / 10]);
    quantity(&unit, 1)
}

/// A Compose file's service as a policy: `user`, `cap_add`, `cap_drop`,
/// `privileged`, `read_only`, `security_opt`, `pid`, `ipc`,
/// `network_mode`, `mem_limit` (or `deploy.resources.limits.memory`),
/// `pids_limit`, and bind-mounted host paths of `volumes`.
fn compose(ctx: &Ctx<'_>, doc: &Node, container: Option<&str>) -> Result<Policy, ManifestError> {
    let Some(Node::Map(services)) = doc.get("services") else {
        return Err(ctx.wrong(
            "services",
            "a mapping",
            doc.get("services").unwrap_or(&Node::Null),
        ));
    };
    let choices: Vec<String> = services.iter().map(|(k, _)| k.clone()).collect();
    let (name, svc) = match container {
        Some(want) => services.iter().find(|(k, _)| k == want).ok_or_else(|| {
            ManifestError::NoSuchContainer {
                file: ctx.file.to_string(),
                name: want.to_string(),
                problem: "no",
                choices: choices.clone(),
            }
        })?,
        None if services.len() == 1 => &services[0],
        None => {
            return Err(ManifestError::ChooseContainer {
                file: ctx.file.to_string(),
                choices,
            });
        }
    };
    let at = format!("services.{name}");
    if !matches!(&**svc, Node::Map(_)) {
        return Err(ctx.wrong(&at, "a mapping", svc));
    }
    let mut out = Vec::new();
    let mut push = |field: String, rule: Rule| out.push(Expectation { field, rule });
    if let Some(user) = match svc.get("user") {
        Some(Node::Int(i)) => Some(i.to_string()),
        _ => ctx.string(svc, "user", &at)?,
    } {
        let f = join(&at, "user");
        let (u, g) = user
            .split_once(':')
            .map_or((user.as_str(), None), |(u, g)| (u, Some(g)));
        let id = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| ctx.bad(&f, user.clone(), "numeric ids (uid or uid:gid): a name is resolved in the image, which posture cannot see"))
        };
        push(f.clone(), Rule::Uid(id(u)?));
        if let Some(g) = g {
            push(format!("{f} (gid)"), Rule::Gid(id(g)?));
        }
    }
    let privileged = ctx.boolean(svc, "privileged", &at)?;
    if let Some(p) = privileged {
        push(join(&at, "privileged"), Rule::Privileged(p));
    }
    let add = caps(ctx, svc, "cap_add", &at)?;
    let drop = caps(ctx, svc, "cap_drop", &at)?;
    if privileged != Some(true) && (svc.get("cap_add").is_some() || svc.get("cap_drop").is_some()) {
        if !drop.is_empty() {
            push(join(&at, "cap_drop"), Rule::CapabilitiesDrop(drop.clone()));
        }
        push(join(&at, "cap_add"), Rule::CapabilitiesAdd { add, drop });
    }
    if let Some(ro) = ctx.boolean(svc, "read_only", &at)? {
        push(join(&at, "read_only"), Rule::ReadOnlyRootFilesystem(ro));
    }
    for (i, o) in ctx.seq(svc, "security_opt", &at)?.iter().enumerate() {
        let f = format!("{at}.security_opt[{i}]");
        let Node::Str(o) = &**o else {
            return Err(ctx.wrong(&f, "a string", o));
        };
        let (k, v) = o.split_once([':', '=']).unwrap_or((o.as_str(), ""));
        let rule = match (k, v) {
            ("no-new-privileges", "" | "true") => Rule::AllowPrivilegeEscalation(false),
            ("no-new-privileges", "false") => Rule::AllowPrivilegeEscalation(true),
            ("seccomp", "unconfined") => Rule::Seccomp(Profile::Unconfined),
            ("seccomp", p) => Rule::Seccomp(Profile::Localhost(p.to_string())),
            ("apparmor", "unconfined") => Rule::AppArmor(Profile::Unconfined),
            ("apparmor", p) => Rule::AppArmor(Profile::Localhost(p.to_string())),
            ("label", l) => match l.split_once(':') {
                Some(("type", t)) => Rule::SelinuxType(t.to_string()),
                Some(("level", t)) => Rule::SelinuxLevel(t.to_string()),
                _ => continue,
            },
            _ => continue,
        };
        push(f, rule);
    }
    for (key, make) in [
        ("pid", Rule::HostPid as fn(bool) -> Rule),
        ("ipc", Rule::HostIpc),
        ("network_mode", Rule::HostNetwork),
    ] {
        if let Some(v) = ctx.string(svc, key, &at)? {
            push(join(&at, key), make(v == "host"));
        }
    }
    let mem = match ctx.map(svc, "deploy", &at)? {
        Some(d) => {
            let dat = join(&at, "deploy");
            let lim = ctx
                .map(d, "resources", &dat)?
                .map(|r| ctx.map(r, "limits", &join(&dat, "resources")))
                .transpose()?
                .flatten();
            match lim {
                Some(l) => ctx
                    .string(l, "memory", &join(&dat, "resources.limits"))?
                    .map(|m| (join(&dat, "resources.limits.memory"), m)),
                None => None,
            }
        }
        None => None,
    };
    let mem = match (svc.get("mem_limit"), mem) {
        (Some(Node::Int(i)), _) => Some((join(&at, "mem_limit"), i.to_string())),
        (Some(_), _) => ctx
            .string(svc, "mem_limit", &at)?
            .map(|m| (join(&at, "mem_limit"), m)),
        (None, m) => m,
    };
    if let Some((f, m)) = mem {
        let b = compose_bytes(&m).ok_or_else(|| ctx.bad(&f, m.clone(), "a size (256m, 1g)"))?;
        push(f, Rule::MemoryLimit(b));
    }
    match svc.get("pids_limit") {
        None | Some(Node::Null) => {}
        Some(Node::Int(n)) if *n > 0 => push(join(&at, "pids_limit"), Rule::PidsLimit(*n as u64)),
        Some(other) => {
            return Err(ctx.wrong(&join(&at, "pids_limit"), "a positive integer", other));
        }
    }
    let mut host_paths = Vec::new();
    for (i, v) in ctx.seq(svc, "volumes", &at)?.iter().enumerate() {
        let f = format!("{at}.volumes[{i}]");
        let source = match &**v {
            Node::Str(s) => s.split(':').next().unwrap_or("").to_string(),
            Node::Map(_) if ctx.string(v, "type", &f)?.as_deref() == Some("bind") => {
                ctx.string(v, "source", &f)?.unwrap_or_default()
            }
            Node::Map(_) => continue,
            other => return Err(ctx.wrong(&f, "a string or a mapping", other)),
        };
        // Only absolute host paths: a relative one depends on where
        // Compose ran, and a bare name is a named volume.
        if source.starts_with('/') {
            host_paths.push(source);
        }
    }
    if !host_paths.is_empty() {
        push(join(&at, "volumes"), Rule::HostPaths(host_paths));
    }
    Ok(Policy::preset(Preset::Checklist)
        .named(format!("{} (Compose service {name})", ctx.file))
        .with_expectations(out))
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn wrong(&self, field: &str, expected: &'static str, found: &Node) -> ManifestError {
        ManifestError::WrongType {
            file: self.file.to_string(),
            field: field.to_string(),
            expected,
            found: found.type_name(),
        }
    }

    fn bad(
        &self,
        field: &str,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> ManifestError {
        ManifestError::BadValue {
            file: self.file.to_string(),
            field: field.to_string(),
            value: value.into(),
            expected: expected.into(),
        }
    }

    /// `node[key]` when present and not null, checked to be a mapping.
    fn map<'n>(
        &self,
        node: &'n Node,
        key: &str,
        at: &str,
    ) -> Result<Option<&'n Node>, ManifestError> {
        match node.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(n @ Node::Map(_)) => Ok(Some(n)),
            Some(other) => Err(self.wrong(&join(at, key), "a mapping", other)),
        }
    }

    fn seq<'n>(
        &self,
        node: &'n Node,
        key: &str,
        at: &str,
    ) -> Result<&'n [Rc<Node>], ManifestError> {
        match node.get(key) {
            None | Some(Node::Null) => Ok(&[]),
            Some(Node::Seq(s)) => Ok(s),
            Some(other) => Err(self.wrong(&join(at, key), "a list", other)),
        }
    }

    fn string(&self, node: &Node, key: &str, at: &str) -> Result<Option<String>, ManifestError> {
        match node.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Str(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(&join(at, key), "a string", other)),
        }
    }

    fn boolean(&self, node: &Node, key: &str, at: &str) -> Result<Option<bool>, ManifestError> {
        match node.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(&join(at, key), "a boolean", other)),
        }
    }

    fn id(&self, node: &Node, key: &str, at: &str) -> Result<Option<u32>, ManifestError> {
        match node.get(key) {
            None | Some(Node::Null) => Ok(None),
            Some(Node::Int(i)) => u32::try_from(*i)
                .map(Some)
                .map_err(|_| self.bad(&join(at, key), i.to_string(), "an id from 0 to 4294967295")),
            Some(other) => Err(self.wrong(&join(at, key), "an integer", other)),
        }
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// One pod template found in the manifest.
#[derive(Debug)]
struct Template {
    /// `Deployment/web`.
    workload: String,
    /// `metadata.name` (empty when unnamed).
    name: String,
    /// Path of the object holding `metadata` and `spec` (`spec.template`).
    at: String,
    node: Rc<Node>,
}

fn templates(
    ctx: &Ctx<'_>,
    doc: &Rc<Node>,
    at: &str,
    out: &mut Vec<Template>,
    kinds: &mut Vec<String>,
    depth: usize,
) -> Result<(), ManifestError> {
    if matches!(&**doc, Node::Null) {
        return Ok(());
    }
    if !matches!(&**doc, Node::Map(_)) {
        return Err(ctx.wrong(
            if at.is_empty() { "(document)" } else { at },
            "a mapping with apiVersion and kind",
            doc,
        ));
    }
    let kind = ctx
        .string(doc, "kind", at)?
        .ok_or_else(|| ctx.bad(&join(at, "kind"), "", "a kind (the field is missing)"))?;
    ctx.string(doc, "apiVersion", at)?.ok_or_else(|| {
        ctx.bad(
            &join(at, "apiVersion"),
            "",
            "an apiVersion (the field is missing)",
        )
    })?;
    let name = match ctx.map(doc, "metadata", at)? {
        Some(m) => ctx
            .string(m, "name", &join(at, "metadata"))?
            .unwrap_or_default(),
        None => String::new(),
    };
    let workload = format!("{kind}/{name}");
    let sub = |path: &[&str]| -> Result<Option<(Rc<Node>, String)>, ManifestError> {
        let mut node: &Node = doc;
        let mut p = at.to_string();
        for k in path {
            match ctx.map(node, k, &p)? {
                Some(n) => node = n,
                None => {
                    return Err(ctx.bad(
                        &join(&p, k),
                        "",
                        format!("a mapping (a {kind} needs it)"),
                    ));
                }
            }
            p = join(&p, k);
        }
        Ok(Some((Rc::new(node.clone()), p)))
    };
    let found = match kind.as_str() {
        "Pod" => Some((doc.clone(), at.to_string())),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => sub(&["spec", "template"])?,
        "CronJob" => sub(&["spec", "jobTemplate", "spec", "template"])?,
        "List" if depth == 0 => {
            for (i, item) in ctx.seq(doc, "items", at)?.iter().enumerate() {
                templates(
                    ctx,
                    item,
                    &join(at, &format!("items[{i}]")),
                    out,
                    kinds,
                    depth + 1,
                )?;
            }
            None
        }
        _ => {
            kinds.push(kind.clone());
            None
        }
    };
    if let Some((node, path)) = found {
        kinds.push(kind);
        out.push(Template {
            workload,
            name,
            at: path,
            node,
        });
    }
    Ok(())
}

/// A container of a template.
struct Candidate<'t> {
    template: &'t Template,
    /// `spec.containers[app]`.
    at: String,
    name: String,
    node: Rc<Node>,
}

/// Reads `text` (a manifest, or a Compose file: a top-level `services`
/// mapping and no `kind`) as a policy for `container` (the container or
/// service; or the only one).
pub fn parse(text: &str, file: &str, container: Option<&str>) -> Result<Policy, ManifestError> {
    let ctx = Ctx { file };
    let docs = read_yaml(text, file)?;
    if let [doc] = docs.as_slice()
        && doc.get("services").is_some()
        && doc.get("kind").is_none()
    {
        return compose(&ctx, doc, container);
    }
    let mut temps = Vec::new();
    let mut kinds = Vec::new();
    for d in &docs {
        templates(&ctx, d, "", &mut temps, &mut kinds, 0)?;
    }
    if temps.is_empty() {
        return Err(ManifestError::NoWorkload {
            file: file.to_string(),
            kinds: if kinds.is_empty() {
                "none".into()
            } else {
                kinds.join(", ")
            },
        });
    }
    let mut cands = Vec::new();
    for t in &temps {
        let spec_at = join(&t.at, "spec");
        let spec = ctx
            .map(&t.node, "spec", &t.at)?
            .ok_or_else(|| ctx.bad(&spec_at, "", "a pod spec (the field is missing)"))?;
        for list in ["initContainers", "containers"] {
            for (i, c) in ctx.seq(spec, list, &spec_at)?.iter().enumerate() {
                let at = join(&spec_at, &format!("{list}[{i}]"));
                if !matches!(&**c, Node::Map(_)) {
                    return Err(ctx.wrong(&at, "a mapping", c));
                }
                let name = ctx.string(c, "name", &at)?.ok_or_else(|| {
                    ctx.bad(
                        &join(&at, "name"),
                        "",
                        "a container name (the field is missing)",
                    )
                })?;
                cands.push(Candidate {
                    template: t,
                    at: join(&spec_at, &format!("{list}[{name}]")),
                    name,
                    node: c.clone(),
                });
            }
        }
    }
    let label = |c: &Candidate<'_>| {
        if cands.iter().filter(|o| o.name == c.name).count() > 1 {
            format!("{}/{}", c.template.name, c.name)
        } else {
            c.name.clone()
        }
    };
    let choices: Vec<String> = cands.iter().map(label).collect();
    let chosen: Vec<&Candidate<'_>> = match container {
        None => cands.iter().collect(),
        Some(want) => cands
            .iter()
            .filter(|c| c.name == want || format!("{}/{}", c.template.name, c.name) == want)
            .collect(),
    };
    let c = match (chosen.as_slice(), container) {
        ([one], _) => *one,
        ([], None) => {
            return Err(ctx.bad(&temps[0].at, "", "a pod spec with a container (none found)"));
        }
        (_, None) => {
            return Err(ManifestError::ChooseContainer {
                file: file.to_string(),
                choices,
            });
        }
        (many, Some(want)) => {
            return Err(ManifestError::NoSuchContainer {
                file: file.to_string(),
                name: want.to_string(),
                problem: if many.is_empty() {
                    "no"
                } else {
                    "more than one"
                },
                choices,
            });
        }
    };
    let (base, expectations) = derive(&ctx, c)?;
    Ok(Policy::preset(base)
        .named(format!(
            "{file} ({} container {})",
            c.template.workload, c.name
        ))
        .with_expectations(expectations))
}

fn profile(ctx: &Ctx<'_>, node: &Node, at: &str) -> Result<Profile, ManifestError> {
    let ty = ctx.string(node, "type", at)?.ok_or_else(|| {
        ctx.bad(
            &join(at, "type"),
            "",
            "a profile type (the field is missing)",
        )
    })?;
    match ty.as_str() {
        "RuntimeDefault" => Ok(Profile::RuntimeDefault),
        "Unconfined" => Ok(Profile::Unconfined),
        "Localhost" => Ok(Profile::Localhost(
            ctx.string(node, "localhostProfile", at)?.ok_or_else(|| {
                ctx.bad(
                    &join(at, "localhostProfile"),
                    "",
                    "a profile name (Localhost needs it)",
                )
            })?,
        )),
        other => Err(ctx.bad(
            &join(at, "type"),
            other,
            "RuntimeDefault, Localhost or Unconfined",
        )),
    }
}

/// A Kubernetes quantity (`128Mi`, `1G`, `500m`, `0.5`, `1e3`) times
/// `scale` (1 for bytes, 1000 for millicores), rounded up as the API
/// server's `Value()`/`MilliValue()` do.
pub(crate) fn quantity(text: &str, scale: u128) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let num = num.strip_prefix('+').unwrap_or(num);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || num.len() > 30 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mantissa: u128 = format!("{int}{frac}").parse().ok()?;
    let mut den: u128 = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let mul: u128 = match suffix {
        "" => 1,
        "m" => {
            den = den.checked_mul(1000)?;
            1
        }
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "E" => 1_000_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "Ei" => 1 << 60,
        s if s.starts_with(['e', 'E']) => {
            let e: u32 = s[1..].parse().ok()?;
            10u128.checked_pow(e)?
        }
        _ => return None,
    };
    let v = mantissa.checked_mul(mul)?.checked_mul(scale)?;
    u64::try_from(v.div_ceil(den)).ok()
}

fn quantity_of(
    ctx: &Ctx<'_>,
    node: &Node,
    key: &str,
    at: &str,
    scale: u128,
) -> Result<Option<u64>, ManifestError> {
    let field = join(at, key);
    let text = match node.get(key) {
        None | Some(Node::Null) => return Ok(None),
        Some(Node::Int(i)) => i.to_string(),
        Some(Node::Str(s)) => s.clone(),
        Some(other) => return Err(ctx.wrong(&field, "a quantity", other)),
    };
    quantity(&text, scale)
        .map(Some)
        .ok_or_else(|| ctx.bad(&field, text, "a Kubernetes quantity (128Mi, 1G, 500m)"))
}

fn caps(ctx: &Ctx<'_>, node: &Node, key: &str, at: &str) -> Result<Vec<String>, ManifestError> {
    let field = join(at, key);
    let mut out = Vec::new();
    for (i, c) in ctx.seq(node, key, at)?.iter().enumerate() {
        let Node::Str(s) = &**c else {
            return Err(ctx.wrong(&format!("{field}[{i}]"), "a capability name", c));
        };
        let name = kernel_cap_name(s);
        if name != "ALL"
            && name
                .parse::<crate::parse::capability::Capability>()
                .is_err()
        {
            return Err(ctx.bad(
                &format!("{field}[{i}]"),
                s.clone(),
                "a capability name (NET_BIND_SERVICE, ALL)",
            ));
        }
        out.push(name);
    }
    Ok(out)
}

/// The expectations the chosen container's declared fields make, and the
/// preset to start from.
fn derive(ctx: &Ctx<'_>, c: &Candidate<'_>) -> Result<(Preset, Vec<Expectation>), ManifestError> {
    let t = c.template;
    let spec_at = join(&t.at, "spec");
    let spec = t.node.get("spec").expect("checked by parse");
    let meta_at = join(&t.at, "metadata");
    let meta = ctx.map(&t.node, "metadata", &t.at)?;
    let annotations = match meta {
        Some(m) => ctx.map(m, "annotations", &meta_at)?,
        None => None,
    };
    let ann_at = join(&meta_at, "annotations");
    let mut base = Preset::Checklist;
    if let Some(a) = annotations
        && let Some(v) = ctx.string(a, EXTENDS_ANNOTATION, &ann_at)?
    {
        base = v.parse().map_err(|_| {
            ctx.bad(
                &format!("{ann_at}[{EXTENDS_ANNOTATION}]"),
                v.clone(),
                "a preset: checklist, pss-baseline, pss-restricted, strict",
            )
        })?;
    }
    let psc_at = join(&spec_at, "securityContext");
    let psc = ctx.map(spec, "securityContext", &spec_at)?;
    let csc_at = join(&c.at, "securityContext");
    let csc = ctx.map(&c.node, "securityContext", &c.at)?;
    let mut out = Vec::new();
    let mut push = |field: String, rule: Rule| out.push(Expectation { field, rule });

    // Container first, then pod: the field where it was declared.
    let both = |key: &str| -> Vec<(&Node, &str)> {
        let mut v = Vec::new();
        if let Some(n) = csc {
            v.push((n, csc_at.as_str()));
        }
        if let Some(n) = psc {
            v.push((n, psc_at.as_str()));
        }
        let _ = key;
        v
    };
    for (key, make) in [
        ("runAsUser", Rule::Uid as fn(u32) -> Rule),
        ("runAsGroup", Rule::Gid as fn(u32) -> Rule),
    ] {
        for (n, at) in both(key) {
            if let Some(v) = ctx.id(n, key, at)? {
                push(join(at, key), make(v));
                break;
            }
        }
    }
    for (n, at) in both("runAsNonRoot") {
        if let Some(v) = ctx.boolean(n, "runAsNonRoot", at)? {
            push(join(at, "runAsNonRoot"), Rule::NonRoot(v));
            break;
        }
    }
    if let Some(p) = psc {
        let groups = ctx.seq(p, "supplementalGroups", &psc_at)?;
        if !groups.is_empty() {
            let mut g = Vec::new();
            for (i, n) in groups.iter().enumerate() {
                let f = format!("{psc_at}.supplementalGroups[{i}]");
                match &**n {
                    Node::Int(v) => g.push(
                        u32::try_from(*v).map_err(|_| ctx.bad(&f, v.to_string(), "a group id"))?,
                    ),
                    other => return Err(ctx.wrong(&f, "an integer", other)),
                }
            }
            push(
                join(&psc_at, "supplementalGroups"),
                Rule::SupplementalGroups(g),
            );
        }
    }
    for (n, at) in both("seLinuxOptions") {
        if let Some(o) = ctx.map(n, "seLinuxOptions", at)? {
            let oat = join(at, "seLinuxOptions");
            if let Some(v) = ctx.string(o, "type", &oat)? {
                push(join(&oat, "type"), Rule::SelinuxType(v));
            }
            if let Some(v) = ctx.string(o, "level", &oat)? {
                push(join(&oat, "level"), Rule::SelinuxLevel(v));
            }
            break;
        }
    }
    for (n, at) in both("seccompProfile") {
        if let Some(o) = ctx.map(n, "seccompProfile", at)? {
            let oat = join(at, "seccompProfile");
            push(join(&oat, "type"), Rule::Seccomp(profile(ctx, o, &oat)?));
            break;
        }
    }
    // AppArmor: container field, else the annotation, else the pod field.
    let mut apparmor = None;
    if let Some(n) = csc
        && let Some(o) = ctx.map(n, "appArmorProfile", &csc_at)?
    {
        let oat = join(&csc_at, "appArmorProfile");
        apparmor = Some((join(&oat, "type"), profile(ctx, o, &oat)?));
    }
    if apparmor.is_none()
        && let Some(a) = annotations
    {
        let key = format!("container.apparmor.security.beta.kubernetes.io/{}", c.name);
        if let Some(v) = ctx.string(a, &key, &ann_at)? {
            let field = format!("{ann_at}[{key}]");
            let p = if v == "runtime/default" {
                Profile::RuntimeDefault
            } else if v == "unconfined" {
                Profile::Unconfined
            } else if let Some(name) = v.strip_prefix("localhost/") {
                Profile::Localhost(name.to_string())
            } else {
                return Err(ctx.bad(
                    &field,
                    v,
                    "runtime/default, localhost/<profile> or unconfined",
                ));
            };
            apparmor = Some((field, p));
        }
    }
    if apparmor.is_none()
        && let Some(n) = psc
        && let Some(o) = ctx.map(n, "appArmorProfile", &psc_at)?
    {
        let oat = join(&psc_at, "appArmorProfile");
        apparmor = Some((join(&oat, "type"), profile(ctx, o, &oat)?));
    }
    if let Some((field, p)) = apparmor {
        push(field, Rule::AppArmor(p));
    }
    if let Some(n) = csc {
        // A privileged container gets every capability whatever it
        // declares (the runtime ignores the list): `privileged` says it.
        let privileged = ctx.boolean(n, "privileged", &csc_at)? == Some(true);
        if let Some(capsn) = ctx.map(n, "capabilities", &csc_at)?
            && !privileged
        {
            let cat = join(&csc_at, "capabilities");
            let add = caps(ctx, capsn, "add", &cat)?;
            let drop = caps(ctx, capsn, "drop", &cat)?;
            if !drop.is_empty() {
                push(join(&cat, "drop"), Rule::CapabilitiesDrop(drop.clone()));
            }
            push(join(&cat, "add"), Rule::CapabilitiesAdd { add, drop });
        }
        for (key, make) in [
            ("privileged", Rule::Privileged as fn(bool) -> Rule),
            ("allowPrivilegeEscalation", Rule::AllowPrivilegeEscalation),
            ("readOnlyRootFilesystem", Rule::ReadOnlyRootFilesystem),
        ] {
            if let Some(v) = ctx.boolean(n, key, &csc_at)? {
                push(join(&csc_at, key), make(v));
            }
        }
        if let Some(v) = ctx.string(n, "procMount", &csc_at)? {
            let f = join(&csc_at, "procMount");
            let masked = match v.as_str() {
                "Default" => true,
                "Unmasked" => false,
                _ => return Err(ctx.bad(&f, v, "Default or Unmasked")),
            };
            push(f, Rule::ProcMountDefault(masked));
        }
    }
    for (key, make) in [
        ("hostNetwork", Rule::HostNetwork as fn(bool) -> Rule),
        ("hostPID", Rule::HostPid),
        ("hostIPC", Rule::HostIpc),
        ("hostUsers", Rule::HostUsers),
        ("automountServiceAccountToken", Rule::ServiceAccountToken),
    ] {
        if let Some(v) = ctx.boolean(spec, key, &spec_at)? {
            push(join(&spec_at, key), make(v));
        }
    }
    if let Some(res) = ctx.map(&c.node, "resources", &c.at)? {
        let rat = join(&c.at, "resources");
        if let Some(lim) = ctx.map(res, "limits", &rat)? {
            let lat = join(&rat, "limits");
            if let Some(b) = quantity_of(ctx, lim, "memory", &lat, 1)? {
                push(join(&lat, "memory"), Rule::MemoryLimit(b));
            }
            if let Some(m) = quantity_of(ctx, lim, "cpu", &lat, 1000)? {
                push(join(&lat, "cpu"), Rule::CpuLimitMillis(m));
            }
        }
    }
    // hostPath volumes mounted into this container.
    let mut mounted = Vec::new();
    for (i, m) in ctx.seq(&c.node, "volumeMounts", &c.at)?.iter().enumerate() {
        let mat = format!("{}.volumeMounts[{i}]", c.at);
        if !matches!(&**m, Node::Map(_)) {
            return Err(ctx.wrong(&mat, "a mapping", m));
        }
        if let Some(n) = ctx.string(m, "name", &mat)? {
            mounted.push(n);
        }
    }
    let mut host_paths = Vec::new();
    for (i, v) in ctx.seq(spec, "volumes", &spec_at)?.iter().enumerate() {
        let vat = format!("{spec_at}.volumes[{i}]");
        if !matches!(&**v, Node::Map(_)) {
            return Err(ctx.wrong(&vat, "a mapping", v));
        }
        let name = ctx.string(v, "name", &vat)?.unwrap_or_default();
        if let Some(h) = ctx.map(v, "hostPath", &vat)?
            && mounted.contains(&name)
        {
            let hat = format!("{spec_at}.volumes[{name}].hostPath");
            let p = ctx.string(h, "path", &hat)?.ok_or_else(|| {
                ctx.bad(
                    &join(&hat, "path"),
                    "",
                    "a host path (the field is missing)",
                )
            })?;
            host_paths.push(p);
        }
    }
    if !host_paths.is_empty() {
        push(join(&spec_at, "volumes"), Rule::HostPaths(host_paths));
    }
    Ok((base, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str, container: Option<&str>) -> Vec<(String, Rule)> {
        parse(text, "m.yaml", container)
            .unwrap()
            .expectations()
            .iter()
            .map(|e| (e.field.clone(), e.rule.clone()))
            .collect()
    }

    fn rule_at<'a>(r: &'a [(String, Rule)], field: &str) -> &'a Rule {
        &r.iter()
            .find(|(f, _)| f == field)
            .unwrap_or_else(|| panic!("no {field} in {r:?}"))
            .1
    }

    const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: localhost/my-profile
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
  hostUsers: false
  automountServiceAccountToken: false
  securityContext:
    runAsUser: 1000
    runAsGroup: 2000
    runAsNonRoot: true
    supplementalGroups: [3000, 3001]
    seccompProfile: {type: RuntimeDefault}
    seLinuxOptions: {type: container_t, level: "s0:c1,c2"}
  volumes:
    - name: data
      hostPath: {path: /srv/data}
    - name: other
      hostPath: {path: /srv/other}
  containers:
    - name: app
      image: x
      volumeMounts: [{name: data, mountPath: /data}]
      resources:
        limits: {memory: 128Mi, cpu: 500m}
      securityContext:
        runAsUser: 1001
        seccompProfile:
          type: Localhost
          localhostProfile: profiles/app.json
        capabilities:
          drop: [ALL]
          add: [NET_BIND_SERVICE]
        privileged: false
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        procMount: Default
"#;

    #[test]
    fn pod_level_fields_with_container_overrides() {
        let r = rules(POD, None);
        let c = "spec.containers[app].securityContext";
        let p = "spec.securityContext";
        // The container's runAsUser wins, named where it is declared; the
        // pod's runAsGroup applies, named at the pod.
        assert_eq!(rule_at(&r, &format!("{c}.runAsUser")), &Rule::Uid(1001));
        assert!(!r.iter().any(|(f, _)| f == &format!("{p}.runAsUser")));
        assert_eq!(rule_at(&r, &format!("{p}.runAsGroup")), &Rule::Gid(2000));
        assert_eq!(
            rule_at(&r, &format!("{p}.runAsNonRoot")),
            &Rule::NonRoot(true)
        );
        assert_eq!(
            rule_at(&r, &format!("{p}.supplementalGroups")),
            &Rule::SupplementalGroups(vec![3000, 3001])
        );
        // seccompProfile: the container's whole object replaces the pod's.
        assert_eq!(
            rule_at(&r, &format!("{c}.seccompProfile.type")),
            &Rule::Seccomp(Profile::Localhost("profiles/app.json".into()))
        );
        assert!(
            !r.iter()
                .any(|(f, _)| f == &format!("{p}.seccompProfile.type"))
        );
        assert_eq!(
            rule_at(&r, &format!("{p}.seLinuxOptions.type")),
            &Rule::SelinuxType("container_t".into())
        );
        assert_eq!(
            rule_at(&r, &format!("{p}.seLinuxOptions.level")),
            &Rule::SelinuxLevel("s0:c1,c2".into())
        );
        assert_eq!(
            rule_at(
                &r,
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]"
            ),
            &Rule::AppArmor(Profile::Localhost("my-profile".into()))
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.capabilities.add")),
            &Rule::CapabilitiesAdd {
                add: vec!["CAP_NET_BIND_SERVICE".into()],
                drop: vec!["ALL".into()]
            }
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.capabilities.drop")),
            &Rule::CapabilitiesDrop(vec!["ALL".into()])
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.privileged")),
            &Rule::Privileged(false)
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.allowPrivilegeEscalation")),
            &Rule::AllowPrivilegeEscalation(false)
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.readOnlyRootFilesystem")),
            &Rule::ReadOnlyRootFilesystem(true)
        );
        assert_eq!(
            rule_at(&r, &format!("{c}.procMount")),
            &Rule::ProcMountDefault(true)
        );
        assert_eq!(rule_at(&r, "spec.hostNetwork"), &Rule::HostNetwork(false));
        assert_eq!(rule_at(&r, "spec.hostPID"), &Rule::HostPid(false));
        assert_eq!(rule_at(&r, "spec.hostIPC"), &Rule::HostIpc(false));
        assert_eq!(rule_at(&r, "spec.hostUsers"), &Rule::HostUsers(false));
        assert_eq!(
            rule_at(&r, "spec.automountServiceAccountToken"),
            &Rule::ServiceAccountToken(false)
        );
        let l = "spec.containers[app].resources.limits";
        assert_eq!(
            rule_at(&r, &format!("{l}.memory")),
            &Rule::MemoryLimit(128 << 20)
        );
        assert_eq!(rule_at(&r, &format!("{l}.cpu")), &Rule::CpuLimitMillis(500));
        // Only the hostPath volume this container mounts.
        assert_eq!(
            rule_at(&r, "spec.volumes"),
            &Rule::HostPaths(vec!["/srv/data".into()])
        );
        let p = parse(POD, "m.yaml", None).unwrap();
        assert_eq!(p.name(), "m.yaml (Pod/web container app)");
        // The checklist's checks are judged too.
        assert_eq!(
            p.action(crate::policy::CheckId::NonRoot),
            crate::policy::Action::Require
        );
    }

    #[test]
    fn apparmor_field_beats_the_annotation_which_beats_the_pod_field() {
        let m = |container_field: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/c: runtime/default\nspec:\n  securityContext:\n    appArmorProfile: {{type: Unconfined}}\n  containers:\n  - name: c\n{container_field}"
            )
        };
        let r = rules(&m(""), None);
        assert_eq!(
            rule_at(
                &r,
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]"
            ),
            &Rule::AppArmor(Profile::RuntimeDefault)
        );
        let r = rules(
            &m(
                "    securityContext:\n      appArmorProfile: {type: Localhost, localhostProfile: x}\n",
            ),
            None,
        );
        assert_eq!(r.len(), 1);
        assert_eq!(
            rule_at(
                &r,
                "spec.containers[c].securityContext.appArmorProfile.type"
            ),
            &Rule::AppArmor(Profile::Localhost("x".into()))
        );
        let no_ann = "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers: [{name: c}]\n";
        assert_eq!(
            rule_at(
                &rules(no_ann, None),
                "spec.securityContext.appArmorProfile.type"
            ),
            &Rule::AppArmor(Profile::Unconfined)
        );
    }

    #[test]
    fn workloads_list_and_multi_document() {
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      securityContext: {runAsUser: 7}\n      containers: [{name: c, securityContext: {privileged: false}}]\n";
        let r = rules(deploy, None);
        assert_eq!(
            rule_at(&r, "spec.template.spec.securityContext.runAsUser"),
            &Rule::Uid(7)
        );
        assert_eq!(
            rule_at(
                &r,
                "spec.template.spec.containers[c].securityContext.privileged"
            ),
            &Rule::Privileged(false)
        );
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            securityContext: {readOnlyRootFilesystem: true}\n";
        assert_eq!(
            rule_at(
                &rules(cron, None),
                "spec.jobTemplate.spec.template.spec.containers[c].securityContext.readOnlyRootFilesystem"
            ),
            &Rule::ReadOnlyRootFilesystem(true)
        );
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers: [{name: c, securityContext: {runAsUser: 5}}]\n";
        assert_eq!(
            rule_at(
                &rules(list, None),
                "items[1].spec.containers[c].securityContext.runAsUser"
            ),
            &Rule::Uid(5)
        );
        // A ConfigMap beside the workload is skipped; the Deployment and
        // the Job each have a container: choose.
        let multi = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm}}\ndata: {{}}\n---\n{deploy}---\napiVersion: batch/v1\nkind: Job\nmetadata: {{name: job}}\nspec:\n  template:\n    spec:\n      containers: [{{name: c}}, {{name: side}}]\n"
        );
        let e = parse(&multi, "m.yaml", None).unwrap_err();
        assert!(
            matches!(&e, ManifestError::ChooseContainer { choices, .. } if choices == &["d/c", "job/c", "side"]),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "m.yaml: 3 containers; choose one with --container NAME or POSTURE_CONTAINER (choices: d/c, job/c, side)"
        );
        let e = parse(&multi, "m.yaml", Some("c")).unwrap_err();
        assert!(
            e.to_string().contains("more than one container \"c\""),
            "{e}"
        );
        let e = parse(&multi, "m.yaml", Some("nope")).unwrap_err();
        assert!(e.to_string().contains("no container \"nope\""), "{e}");
        assert!(parse(&multi, "m.yaml", Some("side")).is_ok());
        let r: Vec<_> = parse(&multi, "m.yaml", Some("d/c"))
            .unwrap()
            .expectations()
            .to_vec();
        assert_eq!(r.len(), 2);
        // initContainers are choices too.
        let init = "apiVersion: v1\nkind: Pod\nspec:\n  initContainers: [{name: i}]\n  containers: [{name: c}]\n";
        assert!(matches!(
            parse(init, "m.yaml", None),
            Err(ManifestError::ChooseContainer { choices, .. }) if choices == ["i", "c"]
        ));
    }

    #[test]
    fn a_privileged_container_sets_no_capability_expectation() {
        let m = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    securityContext:\n      privileged: true\n      capabilities: {drop: [ALL]}\n";
        let r = rules(m, None);
        assert_eq!(
            r,
            [(
                "spec.containers[c].securityContext.privileged".to_string(),
                Rule::Privileged(true)
            )]
        );
    }

    #[test]
    fn a_compose_service_is_a_policy_too() {
        let c = "services:\n  web:\n    user: '1000:2000'\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE]\n    read_only: true\n    security_opt: ['no-new-privileges:true', 'seccomp:unconfined', 'apparmor=my-prof', 'label=type:container_t']\n    pid: host\n    network_mode: none\n    mem_limit: 1.5g\n    pids_limit: 64\n    volumes: ['/srv/data:/data:ro', 'named:/x', './rel:/y', {type: bind, source: /etc/app, target: /etc/app}]\n  db: {image: x}\n";
        let r = rules(c, Some("web"));
        let want = [
            ("services.web.user", Rule::Uid(1000)),
            ("services.web.user (gid)", Rule::Gid(2000)),
            (
                "services.web.cap_drop",
                Rule::CapabilitiesDrop(vec!["ALL".into()]),
            ),
            (
                "services.web.cap_add",
                Rule::CapabilitiesAdd {
                    add: vec!["CAP_NET_BIND_SERVICE".into()],
                    drop: vec!["ALL".into()],
                },
            ),
            ("services.web.read_only", Rule::ReadOnlyRootFilesystem(true)),
            (
                "services.web.security_opt[0]",
                Rule::AllowPrivilegeEscalation(false),
            ),
            (
                "services.web.security_opt[1]",
                Rule::Seccomp(Profile::Unconfined),
            ),
            (
                "services.web.security_opt[2]",
                Rule::AppArmor(Profile::Localhost("my-prof".into())),
            ),
            (
                "services.web.security_opt[3]",
                Rule::SelinuxType("container_t".into()),
            ),
            ("services.web.pid", Rule::HostPid(true)),
            ("services.web.network_mode", Rule::HostNetwork(false)),
            ("services.web.mem_limit", Rule::MemoryLimit(3 << 29)),
            ("services.web.pids_limit", Rule::PidsLimit(64)),
            (
                "services.web.volumes",
                Rule::HostPaths(vec!["/srv/data".into(), "/etc/app".into()]),
            ),
        ];
        let want: Vec<(String, Rule)> = want.into_iter().map(|(f, r)| (f.to_string(), r)).collect();
        assert_eq!(r, want);
        assert!(matches!(
            parse(c, "c.yaml", None),
            Err(ManifestError::ChooseContainer { choices, .. }) if choices == ["web", "db"]
        ));
        assert_eq!(
            parse("services:\n  a: {user: www-data}\n", "c.yaml", None)
                .unwrap_err()
                .to_string(),
            "c.yaml: services.a.user: \"www-data\" is not numeric ids (uid or uid:gid): a name is resolved in the image, which posture cannot see"
        );
        assert!(looks_like_manifest("services:\n  a: {}\n"));
        assert_eq!(compose_bytes("256m"), Some(256 << 20));
        assert_eq!(compose_bytes("512KB"), Some(512 << 10));
        assert_eq!(compose_bytes("1048576"), Some(1 << 20));
        assert_eq!(compose_bytes("lots"), None);
    }

    #[test]
    fn the_extends_annotation_chooses_the_base() {
        let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations: {posture/extends: pss-restricted}\nspec:\n  containers: [{name: c}]\n";
        let p = parse(m, "m.yaml", None).unwrap();
        assert_eq!(p.rules(), crate::policy::Rules::PodSecurity);
        let bad = m.replace("pss-restricted", "lax");
        assert!(
            parse(&bad, "m.yaml", None)
                .unwrap_err()
                .to_string()
                .contains("posture/extends")
        );
    }

    #[test]
    fn wrong_types_and_unknown_kinds_name_the_field() {
        let cases = [
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, securityContext: {runAsUser: abc}}]\n",
                "m.yaml: spec.containers[c].securityContext.runAsUser: expected an integer, found a string",
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, securityContext: {privileged: 'yes'}}]\n",
                "m.yaml: spec.containers[c].securityContext.privileged: expected a boolean, found a string",
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: {name: c}\n",
                "m.yaml: spec.containers: expected a list, found a mapping",
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, securityContext: {capabilities: {add: [NOPE]}}}]\n",
                "m.yaml: spec.containers[c].securityContext.capabilities.add[0]: \"NOPE\" is not a capability name (NET_BIND_SERVICE, ALL)",
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, resources: {limits: {memory: lots}}}]\n",
                "m.yaml: spec.containers[c].resources.limits.memory: \"lots\" is not a Kubernetes quantity (128Mi, 1G, 500m)",
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: -1}\n  containers: [{name: c}]\n",
                "m.yaml: spec.securityContext.runAsUser: \"-1\" is not an id from 0 to 4294967295",
            ),
            (
                "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
                "m.yaml: no Pod or workload with a pod template (kinds found: Service; accepted: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, List)",
            ),
            (
                "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 1}\n",
                "m.yaml: spec.template: \"\" is not a mapping (a Deployment needs it)",
            ),
            (
                "- just\n- a list\n",
                "m.yaml: (document): expected a mapping with apiVersion and kind, found a list",
            ),
            (
                "apiVersion: v1\nkind: Pod\nkind: Pod\n",
                "m.yaml: line 3: key \"kind\" appears twice in one mapping",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text, "m.yaml", None).unwrap_err().to_string(), want);
        }
        let e = parse("apiVersion: v1\nkind: [\n", "m.yaml", None).unwrap_err();
        assert!(matches!(e, ManifestError::Yaml { line: 3, .. }), "{e}");
    }

    #[test]
    fn billion_laughs_stop_at_the_node_cap() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..=9 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            doc.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let t = std::time::Instant::now();
        let e = read_yaml(&doc, "laughs.yaml").unwrap_err();
        assert!(matches!(e, ManifestError::TooManyNodes { .. }), "{e}");
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        // Aliases below the cap are fine, and stand for their anchor.
        let ok = read_yaml("a: &x [1, 2]\nb: *x\n", "f").unwrap();
        assert_eq!(ok[0].get("b"), ok[0].get("a"));
    }

    #[test]
    fn deep_nesting_stops_at_the_depth_cap() {
        // Flow style: yaml-rust2's scanner itself stops at 255 open
        // brackets (it looks ahead before the parser hands out an event).
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let e = read_yaml(&deep, "f").unwrap_err();
        assert!(
            matches!(
                &e,
                ManifestError::TooDeep {
                    limit: MAX_DEPTH,
                    ..
                }
            ) || matches!(&e, ManifestError::Yaml { message, .. } if message.contains("recursion limit")),
            "{e}"
        );
        let deep_map = (0..200)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
        assert!(matches!(
            read_yaml(&deep_map, "f"),
            Err(ManifestError::TooDeep { .. })
        ));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(read_yaml(&ok, "f").is_ok());
    }

    #[test]
    fn a_one_mib_document_is_read_or_refused_in_bounded_time() {
        // 1 MiB of small items: more nodes than the cap.
        let big = "- 1\n".repeat(256 * 1024);
        assert!(big.len() >= 1 << 20);
        let t = std::time::Instant::now();
        assert!(matches!(
            read_yaml(&big, "f"),
            Err(ManifestError::TooManyNodes { .. })
        ));
        // 1 MiB in one scalar: read, and the manifest then judged by kind.
        let one = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: \"{}\"}}\nspec: {{containers: [{{name: c}}]}}\n",
            "x".repeat(1 << 20)
        );
        assert!(parse(&one, "f", None).is_ok());
        assert!(t.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn quantities_as_the_api_server_reads_them() {
        assert_eq!(quantity("128Mi", 1), Some(128 << 20));
        assert_eq!(quantity("1G", 1), Some(1_000_000_000));
        assert_eq!(quantity("1.5Gi", 1), Some(3 << 29));
        assert_eq!(quantity("1e3", 1), Some(1000));
        assert_eq!(quantity("500m", 1000), Some(500));
        assert_eq!(quantity("0.5", 1000), Some(500));
        assert_eq!(quantity("2", 1000), Some(2000));
        assert_eq!(quantity("1m", 1), Some(1), "rounded up");
        assert_eq!(quantity("0.0001", 1000), Some(1), "rounded up");
        for bad in [
            "",
            "Mi",
            "1.2.3",
            "-1",
            "1Xi",
            "1e99999",
            "99999999999999999999999Ei",
        ] {
            assert_eq!(quantity(bad, 1), None, "{bad}");
        }
    }

    #[test]
    fn detection_by_content() {
        assert!(looks_like_manifest(POD));
        assert!(looks_like_manifest(
            "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"
        ));
        assert!(!looks_like_manifest(
            "extends = \"strict\"\n[checks]\nseccomp = \"warn\"\n"
        ));
        assert!(!looks_like_manifest("{\"extends\": \"strict\"}"));
        // A Compose file as JSON (JSON is YAML; Compose reads it).
        assert!(looks_like_manifest(
            "{\n  \"services\" : {\"app\": {\"user\": \"1000\"}}}"
        ));
        // The word in a value is not the key.
        assert!(!looks_like_manifest(
            "{\"extends\": \"strict\", \"overrides\": {\"seccomp\": \"services\"}}"
        ));
    }
}
