//! Probe stage (parse -> probe -> Report -> policy -> render): `/dev`. One
//! directory scan, naming the entries that are host hardware
//! ([`crate::known::is_host_device`]). I/O only through [`Session`].

use super::show;
use crate::fact::{Fact, Unknown};
use crate::known::is_host_device;
use crate::report::Devices;
use crate::root::{self, Session};

pub(super) fn read_devices(io: &Session) -> Fact<Devices> {
    let root = io.root();
    let dir = root.dev_dir();
    let mut host_devices = Vec::new();
    let scan = io.scan_dir(&dir, root::DEV_ENTRY_LIMIT, |name| {
        if is_host_device(name) {
            host_devices.push(name.to_string());
        }
    });
    match scan {
        Ok((_, true)) => Fact::unknown(
            show(&dir),
            format!("more than {} entries", root::DEV_ENTRY_LIMIT),
        ),
        Ok((entries, false)) => {
            host_devices.sort_unstable();
            Fact::Known(Devices {
                entries,
                host_devices,
            })
        }
        Err(e) => Fact::Unknown(Unknown::read(&dir, &e)),
    }
}
