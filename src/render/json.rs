//! The versioned JSON document (feature `serde`): the report and, when one
//! was made, the assessment, under a `schema_version`. `SCHEMA.md` documents
//! every field and `schema/posture.schema.json` is its JSON Schema. Serialize
//! it with any serde serializer (`serde_json::to_string_pretty`).

use crate::policy::Assessment;
use crate::report::{Report, SCHEMA_VERSION};

/// The versioned JSON document:
/// `{"schema_version": 1, "report": {…}, "assessment": {…}}` (the assessment
/// only when one was made). See `SCHEMA.md` for every field.
#[cfg(feature = "serde")]
#[derive(Debug, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Document<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The facts.
    pub report: &'a Report,
    /// The judgement, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<&'a Assessment>,
}

#[cfg(feature = "serde")]
impl<'a> Document<'a> {
    /// Wraps a report.
    pub fn new(report: &'a Report) -> Document<'a> {
        Document {
            schema_version: SCHEMA_VERSION,
            report,
            assessment: None,
        }
    }

    /// Adds the assessment.
    pub fn with_assessment(mut self, assessment: &'a Assessment) -> Document<'a> {
        self.assessment = Some(assessment);
        self
    }
}
