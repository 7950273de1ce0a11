//! Inference stage (parse -> probe -> **infer** -> Report -> policy ->
//! render): pure functions from parsed values to report sections. The probe
//! reads (through [`crate::root`]) and parses; these decide what the values
//! mean: whether the network namespace is the host's ([`network`]), which
//! runtime started the process ([`runtime`]), and what the mount table
//! exposes ([`mounts`]). No I/O: what needs a `stat` takes it as a closure.

pub mod mounts;
pub mod network;
pub mod runtime;
