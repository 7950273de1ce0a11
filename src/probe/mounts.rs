//! Probe stage (parse -> probe -> Report -> policy -> render): the mount
//! table. Reads `/proc/self/mountinfo` through the probe's `Session`, hands
//! the parsed table to [`crate::infer::mounts`] for the report's [`Mounts`]
//! section, and looks (one `stat` each, through the [`Root`]) for runtime
//! sockets that no mount line shows. I/O only through `Root` and `Session`.

use crate::fact::{Fact, Unknown};
use crate::infer::mounts::{SOCKET_SEARCH_MOUNTS, analyse_with, for_each_socket_candidate};
use crate::parse::mountinfo::MountTable;
use crate::report::{Mounts, SeenIn, SocketMount};
use crate::root::{self, Root, Session};

/// Reads the mount table and builds the report's mounts section: the
/// analysis, then the socket search. One path buffer serves every `stat`.
pub(super) fn read(io: &Session) -> Fact<Mounts> {
    let root = io.root();
    read_mounts(io)
        .map(|(t, truncated)| {
            // One path buffer for every stat below: the masked paths, then
            // the socket candidates. A stat that finds nothing allocates
            // nothing.
            let mut full = std::path::PathBuf::with_capacity(root.base().as_os_str().len() + 128);
            let mut m = analyse_with(t, truncated, |p| {
                root.path_into(p, &mut full);
                io.exists(&full).ok()
            });
            probe_sockets(root, &mut m, &mut full);
            m
        })
        .into()
}

fn read_mounts(io: &Session) -> Result<(MountTable, bool), Unknown> {
    let root = io.root();
    let path = root.proc_self("mountinfo");
    let (table, truncated) = io
        .with_capped(&path, root::MOUNTINFO_LIMIT, |data, truncated| {
            // A cut read: drop the partial last line.
            let data = match (truncated, data.iter().rposition(|&b| b == b'\n')) {
                (false, _) => data,
                (true, Some(i)) => &data[..=i],
                (true, None) => &[],
            };
            (MountTable::parse_bytes(data), truncated)
        })
        .map_err(|e| Unknown::read(&path, &e))?;
    if table.mounts.is_empty() {
        return Err(Unknown::file(&path, "no mount could be parsed"));
    }
    Ok((table, truncated))
}

/// Looks (one `stat` each) for runtime sockets where runtimes put them and
/// below mounts that may be host directories: a socket reachable
/// through a directory mount never shows in the mount table. A stat that
/// cannot answer makes the table incomplete, so absence is not concluded.
/// `full` is the caller's path buffer, reused for every candidate.
fn probe_sockets(root: &Root, m: &mut Mounts, full: &mut std::path::PathBuf) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let complete = for_each_socket_candidate(&m.table, &m.runtime_sockets, |path, runtime| {
        root.path_into(path, full);
        match root.is_socket(full) {
            Ok(false) => {}
            Ok(true) => found.push(SocketMount {
                mount_point: path.to_string(),
                root: String::new(),
                runtime: runtime.to_string(),
                directory: false,
                seen_in: SeenIn::Stat,
            }),
            Err(e) => unknown.push(format!("cannot tell whether {path} is a socket: {e}")),
        }
    });
    found.sort_by(|a, b| a.mount_point.cmp(&b.mount_point));
    m.runtime_sockets.extend(found);
    m.incomplete.extend(unknown);
    if !complete {
        m.incomplete.push(format!(
            "more than {} mounts that may be host directories: the rest were not searched for runtime sockets",
            SOCKET_SEARCH_MOUNTS
        ));
    }
}
