//! A single-pass, tolerant parser for `/proc/<pid>/status` (proc(5)).
//!
//! Only the lines this crate needs are decoded; every other line is skipped.
//! A missing line is [`Field::Missing`] (gVisor has no `Uid:` line, old kernels
//! no `Seccomp:`), a line that does not parse is [`Field::Malformed`] and a line
//! that appears twice is malformed too: a file bind-mounted over the real one is
//! more likely than a kernel that repeats itself.

use crate::parse::ParseError;
use crate::parse::capability::parse_mask;

/// One status line's value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// The line is absent.
    #[default]
    Missing,
    /// The line is present but does not parse (or appears twice); the error
    /// says why.
    Malformed(ParseError),
    /// The decoded value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, if decoded.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    fn set(&mut self, key: &str, parsed: Result<T, ParseError>) {
        *self = match (&*self, parsed) {
            (Field::Missing, Ok(v)) => Field::Value(v),
            (Field::Missing, Err(e)) => Field::Malformed(ParseError::InLine {
                key: key.to_string(),
                inner: Box::new(e),
            }),
            _ => Field::Malformed(ParseError::Repeated {
                key: key.to_string(),
            }),
        };
    }
}

/// Seccomp mode as the kernel reports it (`Seccomp:` line, seccomp(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SeccompMode {
    /// `SECCOMP_MODE_DISABLED` (0).
    Disabled,
    /// `SECCOMP_MODE_STRICT` (1): read, write, _exit, sigreturn only.
    Strict,
    /// `SECCOMP_MODE_FILTER` (2): a BPF filter is installed.
    Filter,
}

display_by!(as_str: SeccompMode);

impl SeccompMode {
    /// The kernel's number for the mode.
    pub(crate) fn from_number(n: u8) -> Option<SeccompMode> {
        match n {
            0 => Some(SeccompMode::Disabled),
            1 => Some(SeccompMode::Strict),
            2 => Some(SeccompMode::Filter),
            _ => None,
        }
    }

    /// Lower-case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SeccompMode::Disabled => "disabled",
            SeccompMode::Strict => "strict",
            SeccompMode::Filter => "filter",
        }
    }
}

/// The lines of a status file this crate reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// `Tgid:`
    pub tgid: Field<u32>,
    /// `Pid:` (the thread id for a task's status)
    pub pid: Field<u32>,
    /// `Uid:` real, effective, saved, filesystem.
    pub uid: Field<[u32; 4]>,
    /// `Gid:` real, effective, saved, filesystem.
    pub gid: Field<[u32; 4]>,
    /// `Groups:` supplementary groups.
    pub groups: Field<Vec<u32>>,
    /// `CapInh:`
    pub cap_inh: Field<u64>,
    /// `CapPrm:`
    pub cap_prm: Field<u64>,
    /// `CapEff:`
    pub cap_eff: Field<u64>,
    /// `CapBnd:`
    pub cap_bnd: Field<u64>,
    /// `CapAmb:` (since Linux 4.3)
    pub cap_amb: Field<u64>,
    /// `NoNewPrivs:` (since Linux 4.10)
    pub no_new_privs: Field<bool>,
    /// `Seccomp:` (since Linux 3.8)
    pub seccomp: Field<SeccompMode>,
    /// `Seccomp_filters:` (since Linux 5.9)
    pub seccomp_filters: Field<u32>,
}

fn parse_u32(v: &str) -> Result<u32, ParseError> {
    v.parse::<u32>()
        .map_err(|_| ParseError::not_a(v, "a number"))
}

fn parse_ids(v: &str) -> Result<[u32; 4], ParseError> {
    let mut out = [0u32; 4];
    let mut it = v.split_ascii_whitespace();
    for slot in out.iter_mut() {
        *slot = parse_u32(it.next().ok_or(ParseError::Fewer("four ids"))?)?;
    }
    if it.next().is_some() {
        return Err(ParseError::More("four ids"));
    }
    Ok(out)
}

fn parse_groups(v: &str) -> Result<Vec<u32>, ParseError> {
    // The kernel prints at most NGROUPS_MAX (65536) groups.
    let mut out = Vec::new();
    for g in v.split_ascii_whitespace() {
        if out.len() == 65536 {
            return Err(ParseError::More("NGROUPS_MAX (65536) groups"));
        }
        out.push(parse_u32(g)?);
    }
    Ok(out)
}

fn parse_cap(v: &str) -> Result<u64, ParseError> {
    parse_mask(v).ok_or_else(|| ParseError::not_a(v, "a 64-bit hex mask"))
}

fn parse_flag(v: &str) -> Result<bool, ParseError> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(ParseError::neither(v, "0", "1")),
    }
}

fn parse_seccomp(v: &str) -> Result<SeccompMode, ParseError> {
    v.parse::<u8>()
        .ok()
        .and_then(SeccompMode::from_number)
        .ok_or_else(|| ParseError::not_a(v, "a seccomp mode (0, 1 or 2)"))
}

impl Status {
    /// Parses status text. Never fails: what is absent or bad is said per field.
    pub fn parse(text: &str) -> Status {
        let mut s = Status::default();
        for (at, line) in crate::parse::records::records(text.as_bytes(), b'\n') {
            // Every key this parser wants starts with one of these; the other
            // 40-odd lines (Vm*, Sig*, Cpus_allowed, …) stop here.
            if !matches!(
                line.first(),
                Some(b'T' | b'P' | b'U' | b'G' | b'C' | b'N' | b'S')
            ) {
                continue;
            }
            // Keys are short: the colon is near the start.
            let Some(colon) = line.iter().take(24).position(|&c| c == b':') else {
                continue;
            };
            let (key, v) = (
                &text[at..at + colon],
                text[at + colon + 1..at + line.len()].trim_ascii(),
            );
            match key {
                "Tgid" => s.tgid.set(key, parse_u32(v)),
                "Pid" => s.pid.set(key, parse_u32(v)),
                "Uid" => s.uid.set(key, parse_ids(v)),
                "Gid" => s.gid.set(key, parse_ids(v)),
                "Groups" => s.groups.set(key, parse_groups(v)),
                "CapInh" => s.cap_inh.set(key, parse_cap(v)),
                "CapPrm" => s.cap_prm.set(key, parse_cap(v)),
                "CapEff" => s.cap_eff.set(key, parse_cap(v)),
                "CapBnd" => s.cap_bnd.set(key, parse_cap(v)),
                "CapAmb" => s.cap_amb.set(key, parse_cap(v)),
                "NoNewPrivs" => s.no_new_privs.set(key, parse_flag(v)),
                "Seccomp" => s.seccomp.set(key, parse_seccomp(v)),
                "Seccomp_filters" => s.seccomp_filters.set(key, parse_u32(v)),
                _ => {}
            }
        }
        s
    }

    /// Parses status bytes; invalid UTF-8 lines are skipped, not fatal.
    pub fn parse_bytes(bytes: &[u8]) -> Status {
        match std::str::from_utf8(bytes) {
            Ok(t) => Status::parse(t),
            Err(_) => Status::parse(&String::from_utf8_lossy(bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t1601\nNgid:\t0\nPid:\t1601\nPPid:\t1598\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\nGroups:\t \nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn parses_the_hosts_status() {
        let s = Status::parse(HOST);
        assert_eq!(s.uid, Field::Value([0, 0, 0, 0]));
        assert_eq!(s.groups, Field::Value(vec![]));
        assert_eq!(s.cap_eff, Field::Value(0x1fffeffffff));
        assert_eq!(s.no_new_privs, Field::Value(false));
        assert_eq!(s.seccomp, Field::Value(SeccompMode::Disabled));
        assert_eq!(s.seccomp_filters, Field::Value(0));
        assert_eq!(s.tgid, Field::Value(1601));
    }

    #[test]
    fn missing_lines_are_missing_not_zero() {
        let s = Status::parse("Name:\tx\nSeccomp:\t0\n");
        assert_eq!(s.uid, Field::Missing);
        assert_eq!(s.no_new_privs, Field::Missing);
        assert_eq!(s.cap_eff, Field::Missing);
        assert_eq!(s.seccomp, Field::Value(SeccompMode::Disabled));
    }

    #[test]
    fn malformed_and_duplicate_lines_say_so() {
        let s = Status::parse(
            "Uid:\t1000\t1000\nCapEff:\tzz\nSeccomp:\t7\nNoNewPrivs:\t1\nNoNewPrivs:\t0\nGroups:\t1 x\n",
        );
        assert_eq!(
            s.uid,
            Field::Malformed(ParseError::InLine {
                key: "Uid".into(),
                inner: Box::new(ParseError::Fewer("four ids"))
            })
        );
        assert!(matches!(s.cap_eff, Field::Malformed(_)));
        assert!(matches!(s.seccomp, Field::Malformed(_)));
        assert_eq!(
            s.no_new_privs,
            Field::Malformed(ParseError::Repeated {
                key: "NoNewPrivs".into()
            })
        );
        assert!(matches!(s.groups, Field::Malformed(_)));
    }

    #[test]
    fn garbage_and_empty_input_do_not_panic() {
        for t in ["", "\n\n", ":::", "Uid:", "CapEff:\t", "\u{0}\u{ff}"] {
            let _ = Status::parse(t);
        }
        let s = Status::parse_bytes(&[
            0xff, b'\n', b'S', b'e', b'c', b'c', b'o', b'm', b'p', b':', b'2',
        ]);
        assert_eq!(s.seccomp, Field::Value(SeccompMode::Filter));
    }
}
