//! Capability sets decoded from the hex masks of `/proc/self/status`.
//!
//! Names come from the `caps` crate (`CAP_SYS_ADMIN`, the kernel's spelling);
//! bits the crate does not know (capabilities newer than it) are kept as numbers,
//! never dropped.

use std::fmt;

pub use caps::Capability;

/// Every capability the crate can name, indexed by bit number.
const KNOWN: [Capability; 41] = [
    Capability::CAP_CHOWN,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_DAC_READ_SEARCH,
    Capability::CAP_FOWNER,
    Capability::CAP_FSETID,
    Capability::CAP_KILL,
    Capability::CAP_SETGID,
    Capability::CAP_SETUID,
    Capability::CAP_SETPCAP,
    Capability::CAP_LINUX_IMMUTABLE,
    Capability::CAP_NET_BIND_SERVICE,
    Capability::CAP_NET_BROADCAST,
    Capability::CAP_NET_ADMIN,
    Capability::CAP_NET_RAW,
    Capability::CAP_IPC_LOCK,
    Capability::CAP_IPC_OWNER,
    Capability::CAP_SYS_MODULE,
    Capability::CAP_SYS_RAWIO,
    Capability::CAP_SYS_CHROOT,
    Capability::CAP_SYS_PTRACE,
    Capability::CAP_SYS_PACCT,
    Capability::CAP_SYS_ADMIN,
    Capability::CAP_SYS_BOOT,
    Capability::CAP_SYS_NICE,
    Capability::CAP_SYS_RESOURCE,
    Capability::CAP_SYS_TIME,
    Capability::CAP_SYS_TTY_CONFIG,
    Capability::CAP_MKNOD,
    Capability::CAP_LEASE,
    Capability::CAP_AUDIT_WRITE,
    Capability::CAP_AUDIT_CONTROL,
    Capability::CAP_SETFCAP,
    Capability::CAP_MAC_OVERRIDE,
    Capability::CAP_MAC_ADMIN,
    Capability::CAP_SYSLOG,
    Capability::CAP_WAKE_ALARM,
    Capability::CAP_BLOCK_SUSPEND,
    Capability::CAP_AUDIT_READ,
    Capability::CAP_PERFMON,
    Capability::CAP_BPF,
    Capability::CAP_CHECKPOINT_RESTORE,
];

/// The capability with kernel bit number `bit`, if the crate knows it.
pub(crate) fn capability_from_bit(bit: u8) -> Option<Capability> {
    KNOWN.get(bit as usize).copied()
}

// The list is data about what breaks a container: it lives in `known`.
pub use crate::known::DANGEROUS;

/// Whether a capability is in [`DANGEROUS`].
pub(crate) fn is_dangerous(cap: Capability) -> bool {
    DANGEROUS.contains(&cap)
}

/// One capability set as the kernel reports it: a 64-bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CapSet(u64);

impl CapSet {
    /// A set from the kernel's mask.
    pub const fn from_mask(mask: u64) -> CapSet {
        CapSet(mask)
    }

    /// Every capability up to and including `last_cap` (from `cap_last_cap`).
    pub(crate) fn full(last_cap: u8) -> CapSet {
        if last_cap >= 63 {
            CapSet(u64::MAX)
        } else {
            CapSet((1u64 << (last_cap + 1)) - 1)
        }
    }

    /// The raw mask.
    pub const fn mask(self) -> u64 {
        self.0
    }

    /// Whether the set holds no capability.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many capabilities the set holds.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether `cap` is in the set.
    pub fn contains(self, cap: Capability) -> bool {
        self.0 & cap.bitmask() != 0
    }

    /// Whether every capability of `other` is in `self`.
    pub(crate) const fn is_superset(self, other: CapSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The bit numbers set, in order.
    pub(crate) fn bits(self) -> impl Iterator<Item = u8> {
        (0u8..64).filter(move |b| self.0 & (1u64 << b) != 0)
    }

    /// The capabilities the crate can name, in bit order.
    pub fn capabilities(self) -> impl Iterator<Item = Capability> {
        self.bits().filter_map(capability_from_bit)
    }

    /// Bits set that the crate cannot name (newer than it knows).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn unknown_bits(self) -> Vec<u8> {
        self.bits()
            .filter(|b| capability_from_bit(*b).is_none())
            .collect()
    }

    /// Kernel names of every bit set; unknown bits appear as `CAP_<n>`.
    pub fn names(self) -> Vec<String> {
        self.bits()
            .map(|b| match capability_from_bit(b) {
                Some(c) => c.to_string(),
                None => format!("CAP_{b}"),
            })
            .collect()
    }

    /// Set difference.
    pub(crate) const fn without(self, other: CapSet) -> CapSet {
        CapSet(self.0 & !other.0)
    }

    /// Set union.
    pub(crate) const fn union(self, other: CapSet) -> CapSet {
        CapSet(self.0 | other.0)
    }
}

impl FromIterator<Capability> for CapSet {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> CapSet {
        CapSet(iter.into_iter().fold(0, |m, c| m | c.bitmask()))
    }
}

impl fmt::Display for CapSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("(none)");
        }
        f.write_str(&self.names().join(","))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CapSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CapSet", 3)?;
        st.serialize_field("hex", &format!("{:016x}", self.0))?;
        st.serialize_field(
            "names",
            &self
                .capabilities()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
        )?;
        st.serialize_field("unknown_bits", &self.unknown_bits())?;
        st.end()
    }
}

/// Parses a kernel capability mask as printed in `/proc/<pid>/status`
/// (hex digits, no prefix, usually 16 of them).
pub fn parse_mask(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    u64::from_str_radix(t, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn table_matches_caps_crate_bit_numbers() {
        for (i, c) in KNOWN.iter().enumerate() {
            assert_eq!(c.index() as usize, i, "{c}");
        }
        assert_eq!(KNOWN.len(), caps::all().len());
    }

    #[test]
    fn names_round_trip_through_from_str() {
        for c in KNOWN {
            let name = c.to_string();
            assert_eq!(Capability::from_str(&name).unwrap(), c);
            assert!(name.starts_with("CAP_"));
        }
    }

    #[test]
    fn docker_default_mask_decodes_to_its_fourteen() {
        // CapEff of `docker run` defaults, as printed by the kernel.
        let s = CapSet::from_mask(parse_mask("00000000a80425fb").unwrap());
        assert_eq!(s.len(), 14);
        assert!(s.contains(Capability::CAP_NET_RAW));
        assert!(!s.contains(Capability::CAP_SYS_ADMIN));
        assert_eq!(s.names()[0], "CAP_CHOWN");
    }

    #[test]
    fn full_set_comes_from_last_cap() {
        assert_eq!(CapSet::full(40).mask(), 0x1ff_ffff_ffff);
        assert_eq!(CapSet::full(63).mask(), u64::MAX);
        assert_eq!(CapSet::full(0).mask(), 1);
    }

    #[test]
    fn unknown_bits_are_kept() {
        let s = CapSet::from_mask(1 << 41 | 1);
        assert_eq!(s.unknown_bits(), vec![41]);
        assert_eq!(
            s.names(),
            vec!["CAP_CHOWN".to_string(), "CAP_41".to_string()]
        );
    }

    #[test]
    fn malformed_masks_are_rejected() {
        for bad in ["", "xyz", "00000000000000000", "-1", " "] {
            assert_eq!(parse_mask(bad), None, "{bad:?}");
        }
    }
}
