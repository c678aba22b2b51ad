//! Hospitals by the names the council admitted them under, which is what people read in place
//! of accounts. A command reads the directory once, at the block it reads everything else at.

use std::{collections::BTreeMap, fmt};

use medchain_client::{chain::ChainError, Chain};
use medchain_runtime::{pallet_hospitals, AccountId, Hash, Runtime};
use serde::Serialize;

use crate::text;

/// A hospital as a command shows it: its name for people, its account for scripts (both are in
/// the JSON; text shows the name, or the account of a hospital the chain does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The name it was admitted under; `None` for an account that is no registered hospital.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its account (SS58).
    pub account: String,
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name.as_deref().unwrap_or(&self.account))
    }
}

/// The registered hospitals' names at one block.
#[derive(Debug, Default)]
pub struct Hospitals(BTreeMap<AccountId, String>);

impl Hospitals {
    /// The names of the hospitals registered at block `at`.
    pub async fn load(chain: &Chain, at: Hash) -> Result<Self, ChainError> {
        let mut names = BTreeMap::new();
        for account in chain
            .map_keys::<pallet_hospitals::Hospitals<Runtime>>(at)
            .await?
        {
            let info = chain
                .map_value::<pallet_hospitals::Hospitals<Runtime>>(&account, Some(at))
                .await?;
            if let Some(info) = info {
                names.insert(account, text::lossless(&info.name));
            }
        }
        Ok(Self(names))
    }

    /// Every registered hospital's account, in account order.
    pub fn accounts(&self) -> impl Iterator<Item = &AccountId> {
        self.0.keys()
    }

    /// `account` as people read it.
    pub fn named(&self, account: &AccountId) -> Named {
        Named {
            name: self.0.get(account).cloned(),
            account: text::account(account),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::sp_core::crypto::AccountId32;

    #[test]
    fn a_registered_hospital_reads_as_its_name_and_any_other_as_its_account() {
        let (known, unknown) = (AccountId32::new([1; 32]), AccountId32::new([2; 32]));
        let names = Hospitals(BTreeMap::from([(known.clone(), "St Mary's".to_owned())]));
        assert_eq!(names.named(&known).to_string(), "St Mary's");
        assert_eq!(format!("{:<12}|", names.named(&known)), "St Mary's   |");
        let stranger = names.named(&unknown);
        assert_eq!(stranger.name, None);
        assert_eq!(stranger.to_string(), text::account(&unknown));
        assert_eq!(
            serde_json::to_value(names.named(&known)).expect("serialises"),
            serde_json::json!({ "name": "St Mary's", "account": text::account(&known) })
        );
    }
}
