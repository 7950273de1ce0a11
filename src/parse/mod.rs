//! Stage 1 of the pipeline (parse -> probe -> Report -> policy -> render):
//! pure functions from kernel text to values. Nothing here opens a file or
//! makes a system call; the probe stage ([`crate::posture_with_root`]) reads
//! the text and hands it over.
//!
//! - [`status`]: `/proc/<pid>/status` (ids, capability masks, seccomp,
//!   no_new_privs), one pass, the lines it needs.
//! - [`capability`]: capability sets and the kernel's names for them.
//! - [`idmap`]: `uid_map` / `gid_map` and what a mapping means for root.
//! - [`lsm`]: AppArmor and SELinux labels, the active LSM list.
//! - [`ns`]: namespace links (`net:[4026531840]`), `osrelease`, and the
//!   kernel's rules for initial namespace inodes and the netns cookie.
//! - [`cgroup`]: `/proc/self/cgroup`, the limit files, and which files hold
//!   this process's limits given the mount table.
//! - [`mountinfo`]: the `/proc/self/mountinfo` parser and its
//!   [`Mount`](mountinfo::Mount) / [`MountTable`](mountinfo::MountTable) types.
//!
//! The module is private: the values the parsers produce are the report's
//! types (`posture::report::{CapSet, Mount, IdMap, …}`); tests and benches
//! reach the parsers themselves through `posture::__private::parse`.
//!
//! The one error type of the crate's text parsers is [`ParseError`].
//!
//! Every parser of kernel text (`status`, the LSM attributes, namespace
//! links, `/proc/self/cgroup` and the cgroup limit files, `mountinfo`)
//! returns [`ParseError`] when the text is not what the kernel prints. The
//! variants keep what was found and what was expected as values, so a caller
//! can match on them; [`Display`](std::fmt::Display) gives the message that
//! ends up in an unknown fact's `reason`, e.g. `"x" is not a number`.
//!
//! `uid_map`/`gid_map` keep their own [`IdMapError`](crate::parse::idmap::IdMapError),
//! which carries line numbers and the kernel's line limit.

pub mod capability;
pub mod cgroup;
pub mod idmap;
pub mod lsm;
pub mod mountinfo;
pub(crate) mod net;
pub mod ns;
pub(crate) mod records;
pub mod status;

/// Why a piece of kernel text did not parse.
///
/// Wrapping variants ([`InLine`](ParseError::InLine),
/// [`AtLine`](ParseError::AtLine)) keep the inner error and print it after
/// their own prefix, so the message reads as one sentence.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text is not of the expected form: `"x" is not a number`.
    #[error("{text:?} is not {expected}")]
    NotA {
        /// The text found (trimmed).
        text: String,
        /// What the kernel prints there, e.g. `` `profile (mode)` ``.
        expected: &'static str,
    },
    /// A named part of the text is not of its form: `period "x" is not a
    /// number`.
    #[error("{part} {text:?} is not {expected}")]
    PartNotA {
        /// Which part (`period`, `quota`, `hierarchy id`, `path`).
        part: &'static str,
        /// The text found.
        text: String,
        /// What it should be.
        expected: &'static str,
    },
    /// The text is neither of two accepted forms: `"2" is neither 0 nor 1`.
    #[error("{text:?} is neither {first} nor {second}")]
    Neither {
        /// The text found.
        text: String,
        /// The first accepted form.
        first: &'static str,
        /// The second accepted form.
        second: &'static str,
    },
    /// A table that the `procfs` crate's parser rejected (`net/dev`,
    /// `net/unix`); the message is its parser's.
    #[error("{reason}")]
    Table {
        /// Which table.
        table: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// A namespace link that is not `<type>:[<inode>]`.
    #[error("{text:?} is not `{ns}:[inode]`")]
    NsLink {
        /// The namespace type the link was read for (`net`, `user`, …).
        ns: &'static str,
        /// The link target found.
        text: String,
    },
    /// Empty where the kernel always prints something.
    #[error("empty {0}")]
    Empty(&'static str),
    /// Not the shape of the line at all: `not `id:controllers:path``.
    #[error("not {0}")]
    NotShaped(&'static str),
    /// Fewer items than the format has: `fewer than four ids`.
    #[error("fewer than {0}")]
    Fewer(&'static str),
    /// More items than the format (or the kernel's own limit) allows.
    #[error("more than {0}")]
    More(&'static str),
    /// A mountinfo line with more fields than the kernel prints.
    #[error("more than {0} fields")]
    TooManyFields(usize),
    /// A numeric field of a line that is not a number: `mount id is not a
    /// number`.
    #[error("{0} is not a number")]
    FieldNotANumber(&'static str),
    /// A field of a line that is missing: `no mount point`, `no separator
    /// `-``.
    #[error("no {0}")]
    Missing(&'static str),
    /// A keyed line the file should hold (`no Seccomp line`).
    #[error("no {0} line")]
    MissingLine(&'static str),
    /// mountinfo's `major:minor` without its colon.
    #[error("major:minor has no colon")]
    NoColon,
    /// Text past the parser's size bound, left unparsed.
    #[error("text past {0} bytes was not parsed")]
    TooLong(usize),
    /// A keyed line whose value the kernel's direct answer contradicts
    /// (`Uid:` against `getresuid(2)`): the file is not this process's.
    #[error("{key} line says {said}, but {call} answers {kernel}: not this process's file")]
    Contradicted {
        /// The key (`Uid`, `CapEff`, …).
        key: &'static str,
        /// What the line says.
        said: String,
        /// The system call asked.
        call: &'static str,
        /// What the kernel answered.
        kernel: String,
    },
    /// A keyed line (`Uid:`, `CapEff:` …) that appears twice: a file bound
    /// over the real one is more likely than a kernel repeating itself.
    #[error("{key} line appears more than once")]
    Repeated {
        /// The key.
        key: String,
    },
    /// The value of a keyed line did not parse.
    #[error("{key} line: {inner}")]
    InLine {
        /// The key (`Uid`, `CapEff`, …).
        key: String,
        /// Why its value did not parse.
        inner: Box<ParseError>,
    },
    /// Line `line` (1-based) of a multi-line file did not parse.
    #[error("line {line}: {inner}")]
    AtLine {
        /// 1-based line number.
        line: usize,
        /// Why.
        inner: Box<ParseError>,
    },
}

debug_is_display!(ParseError);

impl ParseError {
    /// `text` is not `expected` (trimmed copy of the text).
    pub(crate) fn not_a(text: &str, expected: &'static str) -> ParseError {
        ParseError::NotA {
            text: text.to_string(),
            expected,
        }
    }

    /// Part `part` with text `text` is not `expected`.
    pub(crate) fn part(part: &'static str, text: &str, expected: &'static str) -> ParseError {
        ParseError::PartNotA {
            part,
            text: text.to_string(),
            expected,
        }
    }

    /// `text` is neither `first` nor `second`.
    pub(crate) fn neither(text: &str, first: &'static str, second: &'static str) -> ParseError {
        ParseError::Neither {
            text: text.to_string(),
            first,
            second,
        }
    }

    /// This error, at 1-based line `line`.
    pub(crate) fn at_line(self, line: usize) -> ParseError {
        ParseError::AtLine {
            line,
            inner: Box::new(self),
        }
    }
}

/// The message, for an [`Unknown`](crate::Unknown)'s reason.
impl From<ParseError> for String {
    fn from(e: ParseError) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The messages are part of the JSON (unknown reasons): written out here.
    #[test]
    fn messages_read_as_one_sentence() {
        let cases: [(ParseError, &str); 8] = [
            (ParseError::not_a("x", "a number"), r#""x" is not a number"#),
            (
                ParseError::part("period", "p", "a number"),
                r#"period "p" is not a number"#,
            ),
            (
                ParseError::neither("2", "0", "1"),
                r#""2" is neither 0 nor 1"#,
            ),
            (
                ParseError::NsLink {
                    ns: "net",
                    text: "pid:[1]".into(),
                },
                r#""pid:[1]" is not `net:[inode]`"#,
            ),
            (
                ParseError::InLine {
                    key: "Uid".into(),
                    inner: Box::new(ParseError::Fewer("four ids")),
                },
                "Uid line: fewer than four ids",
            ),
            (
                ParseError::part("hierarchy id", "h", "a number").at_line(3),
                r#"line 3: hierarchy id "h" is not a number"#,
            ),
            (ParseError::Missing("separator `-`"), "no separator `-`"),
            (
                ParseError::TooLong(4 << 20),
                "text past 4194304 bytes was not parsed",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
            assert_eq!(String::from(e), want);
        }
    }
}
