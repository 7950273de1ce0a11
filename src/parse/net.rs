//! `/proc/<pid>/net/dev` and `/proc/<pid>/net/unix`: the names of a network
//! namespace's interfaces and the paths of its bound unix sockets. The
//! `procfs` crate's parsers (the stack's crate) read both tables; a line they
//! do not understand fails the whole table, which leaves the caller's answer
//! unknown. Pure: text in, values out.

use procfs::FromBufRead;

use super::ParseError;

/// The interface names in a `net/dev` table, sorted.
pub(crate) fn interface_names(text: &str) -> Result<Vec<String>, ParseError> {
    let table =
        procfs::net::InterfaceDeviceStatus::from_buf_read(text.as_bytes()).map_err(|e| {
            ParseError::Table {
                table: "net/dev",
                reason: e.to_string(),
            }
        })?;
    let mut names: Vec<String> = table.0.into_keys().collect();
    names.sort_unstable();
    Ok(names)
}

/// The paths of the bound unix sockets in a `net/unix` table, in table
/// order; sockets without a path, and paths that are not UTF-8, are left
/// out. `data` must end at a line end (a read cut at its bound drops its
/// partial last line first).
pub(crate) fn unix_socket_paths(data: &[u8]) -> Result<impl Iterator<Item = String>, ParseError> {
    let table =
        procfs::net::UnixNetEntries::from_buf_read(data).map_err(|e| ParseError::Table {
            table: "net/unix",
            reason: e.to_string(),
        })?;
    Ok(table
        .0
        .into_iter()
        .filter_map(|e| e.path)
        .filter_map(|p| p.into_os_string().into_string().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "\
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 13612301  108701    0    0    0     0          0         0 13612301  108701    0    0    0     0       0          0
  eth0:  1234567    8910    0    0    0     0          0         0   765432    5678    0    0    0     0       0          0
docker0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
";

    const UNIX: &str = "\
Num       RefCount Protocol Flags    Type St Inode Path
00000000eb992e51: 00000002 00000000 00010000 0001 01 1524251 /var/run/docker.sock
000000008be59db4: 00000003 00000000 00000000 0001 03 1524276
000000006933251a: 00000002 00000000 00010000 0001 01 1524270 /run/systemd/private
0000000012345678: 00000002 00000000 00010000 0005 01 1524271 @/containerd-shim/abc.sock@
";

    #[test]
    fn interface_names_are_sorted() {
        assert_eq!(interface_names(DEV).unwrap(), ["docker0", "eth0", "lo"]);
        // The two header lines alone: no interface.
        let header: String = DEV.lines().take(2).map(|l| format!("{l}\n")).collect();
        assert!(interface_names(&header).unwrap().is_empty());
    }

    #[test]
    fn a_line_that_is_not_a_table_row_fails_net_dev() {
        let bad = format!("{DEV}  eth1: not numbers\n");
        let e = interface_names(&bad).unwrap_err();
        assert!(
            matches!(
                e,
                ParseError::Table {
                    table: "net/dev",
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn unix_socket_paths_skip_unnamed_sockets() {
        let paths: Vec<String> = unix_socket_paths(UNIX.as_bytes()).unwrap().collect();
        assert_eq!(
            paths,
            [
                "/var/run/docker.sock",
                "/run/systemd/private",
                "@/containerd-shim/abc.sock@"
            ]
        );
        let header = UNIX.lines().next().unwrap();
        assert_eq!(unix_socket_paths(header.as_bytes()).unwrap().count(), 0);
    }

    #[test]
    fn a_line_that_is_not_a_table_row_fails_net_unix() {
        let bad = format!("{UNIX}garbage\n");
        assert!(matches!(
            unix_socket_paths(bad.as_bytes()),
            Err(ParseError::Table {
                table: "net/unix",
                ..
            })
        ));
    }
}
