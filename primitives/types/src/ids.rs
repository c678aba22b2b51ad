//! The numbers the chain names things by, each its own type.
//!
//! A record id, a report id, an epoch and a tree leaf are all integers on the wire, and a function
//! that takes two of them as bare `u64`s accepts them swapped without a word. As newtypes they cannot be
//! confused, while their SCALE encoding stays that of the integer: storage keys, events and
//! transactions read the same as before.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Declares each id: a copyable newtype over its integer that encodes (SCALE, and JSON with the
/// `serde` feature), displays and parses exactly as the integer does.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident($int:ty);)*) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
        )]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Serialize, serde::Deserialize),
            serde(transparent)
        )]
        pub struct $name($int);

        impl $name {
            /// The id numbered `n`.
            pub const fn new(n: $int) -> Self {
                Self(n)
            }

            /// Its number.
            pub const fn get(self) -> $int {
                self.0
            }

            /// The id after this one, or `None` once the numbers run out.
            pub fn next(self) -> Option<Self> {
                self.0.checked_add(1).map(Self)
            }
        }

        impl From<$int> for $name {
            fn from(n: $int) -> Self {
                Self(n)
            }
        }

        impl From<$name> for $int {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl core::str::FromStr for $name {
            type Err = core::num::ParseIntError;

            /// Parses the number, as a person types it.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}

ids! {
    /// A published record, numbered from 0 in publication order.
    RecordId(u64);
    /// A doctor's diagnosis report, numbered from 0 in submission order.
    ReportId(u64);
    /// A period of the KGC's revocation schedule, from 0 at genesis. Capsules are made under
    /// one, each has its update key, and a revocation takes effect from one on.
    Epoch(u64);
    /// The generation of a hospital's search key, from 0; it moves on each time the hospital
    /// withdraws an authorisation, so that the withdrawn hospital cannot search new records.
    KeyEpoch(u32);
    /// A leaf of the KGC's revocation tree, `0 .. 2^depth`: one per doctor's key, never reused.
    LeafIndex(u64);
    /// A node of the revocation tree, numbered heap-style from the root, 1.
    NodeId(u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_encodes_as_its_integer() {
        assert_eq!(RecordId::new(7).encode(), 7u64.encode());
        assert_eq!(
            ReportId::decode(&mut &42u64.encode()[..]),
            Ok(ReportId::new(42))
        );
        assert_eq!(RecordId::max_encoded_len(), u64::max_encoded_len());
    }

    #[test]
    fn the_last_id_has_no_next() {
        assert_eq!(RecordId::new(1).next(), Some(RecordId::new(2)));
        assert_eq!(RecordId::new(u64::MAX).next(), None);
    }

    #[test]
    fn kinds_of_number_do_not_mix() {
        // Each is its own type: only an explicit conversion turns one into another.
        let epoch = Epoch::new(3);
        let leaf = LeafIndex::new(epoch.get());
        assert_eq!(u64::from(leaf), 3);
        assert_eq!(KeyEpoch::new(u32::MAX).next(), None);
        assert_eq!("17".parse::<NodeId>(), Ok(NodeId::new(17)));
    }

    #[test]
    fn an_id_displays_as_its_number() {
        assert_eq!(std::format!("{}", ReportId::new(12)), "12");
    }
}
