//! `uid_map` / `gid_map` (user_namespaces(7)).
//!
//! Each line is `inside outside count`: ids `inside..inside+count` of this
//! namespace are ids `outside..outside+count` of the parent namespace (for the
//! reading process's own namespace, the parent is where the container was made:
//! the host, one level deep).

/// One mapped range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdRange {
    /// First id inside this namespace.
    pub inside: u32,
    /// First id in the parent namespace.
    pub outside: u32,
    /// Number of ids.
    pub count: u32,
}

/// A parsed map: its ranges in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdMap {
    /// The ranges.
    pub ranges: Vec<IdRange>,
}

/// Why a map did not parse.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdMapError {
    /// A line that is not three numbers.
    #[error("line {line}: expected `inside outside count`, found {text:?}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The line, cut to 80 characters.
        text: String,
    },
    /// A range that is empty or runs past the 32-bit id space.
    #[error("line {line}: range is empty or overflows 32-bit ids")]
    BadRange {
        /// 1-based line number.
        line: usize,
    },
    /// More lines than the kernel allows (340 since Linux 4.15).
    #[error("more than {0} lines, the kernel's limit")]
    TooManyLines(usize),
}

debug_is_display!(IdMapError);

/// The kernel's limit on lines in an id map.
pub const MAX_LINES: usize = 340;

/// Parses a `uid_map`/`gid_map`. An empty file is an empty map: the
/// namespace has no mapping written yet, so every id is unmapped
/// (user_namespaces(7)).
pub fn parse(text: &str) -> Result<IdMap, IdMapError> {
    let mut ranges = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if ranges.len() == MAX_LINES {
            return Err(IdMapError::TooManyLines(MAX_LINES));
        }
        let bad = || IdMapError::BadLine {
            line: i + 1,
            text: line.chars().take(80).collect(),
        };
        let mut it = line.split_ascii_whitespace().map(str::parse::<u32>);
        let (Some(Ok(inside)), Some(Ok(outside)), Some(Ok(count)), None) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(bad());
        };
        if count == 0
            || inside.checked_add(count - 1).is_none()
            || outside.checked_add(count - 1).is_none()
        {
            return Err(IdMapError::BadRange { line: i + 1 });
        }
        ranges.push(IdRange {
            inside,
            outside,
            count,
        });
    }
    Ok(IdMap { ranges })
}

impl IdMap {
    /// The parent-namespace id that `inside` maps to, if any.
    pub(crate) fn to_outside(&self, inside: u32) -> Option<u32> {
        self.ranges.iter().find_map(|r| {
            let off = inside.checked_sub(r.inside)?;
            (off < r.count).then(|| r.outside + off)
        })
    }

    /// The id of this namespace that parent id `outside` is mapped to, if
    /// any (`Some(1000)` for the line `1000 0 1` and `outside` 0).
    pub(crate) fn to_inside(&self, outside: u32) -> Option<u32> {
        self.ranges.iter().find_map(|r| {
            let off = outside.checked_sub(r.outside)?;
            (off < r.count).then(|| r.inside + off)
        })
    }

    /// Whether this is the identity map of the whole id space, as in the
    /// initial user namespace (`0 0 4294967295`).
    pub(crate) fn is_full_identity(&self) -> bool {
        matches!(
            self.ranges.as_slice(),
            [IdRange {
                inside: 0,
                outside: 0,
                count: u32::MAX
            }]
        )
    }

    /// Where an id of this namespace lands in the parent namespace.
    pub fn mapping_of(&self, inside: u32) -> Mapping {
        match self.to_outside(inside) {
            Some(0) => Mapping::HostRoot,
            Some(outside) => Mapping::Unprivileged { outside },
            None => Mapping::Unmapped,
        }
    }
}

/// Where an id of this user namespace lands outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Mapping {
    /// Id 0 of the parent namespace (the host's root, one level deep).
    HostRoot,
    /// An id other than 0 in the parent namespace.
    Unprivileged {
        /// The parent-namespace id.
        outside: u32,
    },
    /// Not mapped at all: the id does not exist outside.
    Unmapped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_initial_namespace_map() {
        let m = parse("         0          0 4294967295\n").unwrap();
        assert!(m.is_full_identity());
        assert_eq!(m.mapping_of(0), Mapping::HostRoot);
    }

    #[test]
    fn remapped_root_is_unprivileged() {
        let m = parse("         0     100000      65536\n").unwrap();
        assert_eq!(m.mapping_of(0), Mapping::Unprivileged { outside: 100000 });
        assert_eq!(m.to_outside(1000), Some(101000));
        assert_eq!(m.mapping_of(65536), Mapping::Unmapped);
    }

    #[test]
    fn rootless_like_maps_root_to_the_user() {
        let m = parse("0 1000 1\n1 100000 65535\n").unwrap();
        assert_eq!(m.mapping_of(0), Mapping::Unprivileged { outside: 1000 });
        assert_eq!(m.to_outside(5), Some(100004));
    }

    #[test]
    fn unwritten_map_leaves_root_unmapped() {
        let m = parse("").unwrap();
        assert_eq!(m.mapping_of(0), Mapping::Unmapped);
    }

    #[test]
    fn bad_input_is_an_error_not_a_guess() {
        assert!(matches!(
            parse("0 0"),
            Err(IdMapError::BadLine { line: 1, .. })
        ));
        assert!(matches!(parse("0 0 0"), Err(IdMapError::BadRange { .. })));
        assert!(matches!(
            parse("4294967295 0 2"),
            Err(IdMapError::BadRange { .. })
        ));
        assert!(matches!(parse("0 0 1 9"), Err(IdMapError::BadLine { .. })));
        assert!(matches!(parse("-1 0 1"), Err(IdMapError::BadLine { .. })));
        let many = "0 0 1\n".repeat(MAX_LINES + 1);
        assert!(matches!(parse(&many), Err(IdMapError::TooManyLines(_))));
    }
}
