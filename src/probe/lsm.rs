//! Probe stage (parse -> probe -> Report -> policy -> render): LSM
//! confinement. The process's label (AppArmor's own attribute, else
//! `attr/current`), SELinux's enforce flag and the kernel's active LSM list,
//! parsed by [`crate::parse::lsm`]. I/O only through [`Session`].

use super::{parse_small, show};
use crate::fact::{Fact, Unknown};
use crate::parse::lsm::{self, LsmLabel};
use crate::report::Lsm;
use crate::root::{self, ReadError, Session};

pub(super) fn read_lsm(io: &Session) -> Lsm {
    let root = io.root();
    let list_path = root.sys("kernel/security/lsm");
    let active: Fact<Vec<String>> =
        parse_small(io, &list_path, |t| Ok(lsm::parse_lsm_list(t))).into();
    let enforce_path = root.sys("fs/selinux/enforce");
    let selinux_enforcing = parse_small(io, &enforce_path, |t| {
        lsm::parse_enforce(t).map_err(|w| Unknown::file(&enforce_path, w))
    })
    .into();

    let aa_path = root.proc_self("attr/apparmor/current");
    let cur_path = root.proc_self("attr/current");
    let aa = io.read_text(&aa_path, root::SMALL_FILE_LIMIT);
    let (label, label_source) = match aa {
        Ok(text) => (
            lsm::parse_apparmor(&text)
                .map(LsmLabel::AppArmor)
                .map_err(|w| Unknown::file(&aa_path, w))
                .into(),
            show(&aa_path),
        ),
        Err(aa_err) => {
            let label = match io.read_text(&cur_path, root::SMALL_FILE_LIMIT) {
                Ok(text) => lsm::parse_current(&text, active.known().map(|v| v.as_slice()))
                    .map_err(|w| Unknown::file(&cur_path, w))
                    .into(),
                Err(e) if e.errno() == Some(22) => Fact::Known(LsmLabel::None {
                    evidence: format!(
                        "{}: EINVAL (no LSM provides a process label)",
                        show(&cur_path)
                    ),
                }),
                Err(e) => Fact::unknown(show(&cur_path), format!("{e}; {}", describe_aa(&aa_err))),
            };
            (label, show(&cur_path))
        }
    };
    Lsm {
        label,
        label_source,
        selinux_enforcing,
        active,
    }
}

fn describe_aa(e: &ReadError) -> String {
    format!("AppArmor's own attribute: {e}")
}
