//! Renderers: the last stage of the pipeline, turning a [`crate::Report`]
//! and an [`crate::Assessment`] into text for people and machines. Pure
//! functions returning a `String`; no I/O, no terminal detection.
//!
//! * [`text`]: the `capsh --print`-style report and the checklist table
//!   (what the `posture` binary prints, and what [`crate::Refusal`] lists).
//! * [`junit`]: the assessment as JUnit XML, one test case per check, for CI
//!   systems that show per-test results.
//!
//! The JSON document is [`crate::Document`] (feature `serde`); Prometheus
//! text is `posture::metrics` (feature `prometheus`).

pub mod junit;
pub mod text;
