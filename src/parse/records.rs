//! Splitting kernel text into records (lines of `status` and `mountinfo`,
//! NUL-separated `environ` entries) with `memchr`, which finds a separator
//! many bytes at a time.

/// The records of `bytes` separated by `sep`, each with its offset. The
/// last record may lack its separator; an empty record between two
/// separators is passed on (a caller that counts lines counts it), one after
/// the last separator is not.
pub(crate) fn records(bytes: &[u8], sep: u8) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(sep, &bytes[pos..]).map_or(bytes.len(), |n| pos + n);
        let record = (pos, &bytes[pos..end]);
        pos = end + 1;
        Some(record)
    })
}

#[cfg(test)]
mod tests {
    use super::records;

    #[test]
    fn records_keep_offsets_and_inner_empty_ones() {
        let got: Vec<(usize, &[u8])> = records(b"ab\n\nc\n", b'\n').collect();
        assert_eq!(got, [(0, &b"ab"[..]), (3, b""), (4, b"c")]);
        let got: Vec<(usize, &[u8])> = records(b"k=v\0x", 0).collect();
        assert_eq!(got, [(0, &b"k=v"[..]), (4, b"x")]);
        assert_eq!(records(b"", b'\n').count(), 0);
    }
}
