//! What the benches share.

use std::io::Read;
use std::path::Path;

/// open, read until EOF (or the buffer is full), close: nothing else.
pub fn read_plain(path: impl AsRef<Path>, buf: &mut [u8]) -> usize {
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0;
    };
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}
