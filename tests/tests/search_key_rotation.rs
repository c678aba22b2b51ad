//! Search key rotation on the four-hospital network (CRYPTO.md section 3): hospital 1 authorises
//! hospitals 2 and 4, then withdraws hospital 2. The chain moves hospital 1 to its next search
//! key epoch, and hospital 1's node hands the new key to hospital 4 on its own. Hospital 4's
//! doctor then finds records indexed under both epochs; the key hospital 2 kept tests the old
//! indices but not the new one, and hospital 2's node no longer searches hospital 1 at all.

use codec::Decode;
use medchain_crypto::{
    abe::EncryptionTables,
    hash::keyword_digest,
    index::{Index, PreparedQuery, Trapdoor},
    seeded_rng,
};
use medchain_integration_tests::rpc::answer;
use medchain_integration_tests::{
    network::{running_founders, Node},
    services,
    tx::{self, account, submit_accepted},
    wait_for,
};
use medchain_rpc_api::{Hit, Search};
use medchain_runtime::{
    genesis::dev_kgc, hospital_keys, pallet_hospitals, pallet_records, AccountId, Runtime,
    RuntimeCall,
};
use medchain_types::{Epoch, KeyEpoch, RecordId};
use polkadot_sdk::{
    sp_core::{sr25519, Pair},
    sp_keyring::Sr25519Keyring,
};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);
const POLICY: &str = "cardiology and consultant";
const KEYWORDS: [&str; 2] = ["cardiology", "heart failure"];

type Record = pallet_records::Record<Runtime>;

/// The records `doctor`'s hospital node finds for `KEYWORDS`.
fn search(node: &Node, doctor: &sr25519::Pair) -> Vec<RecordId> {
    let interests = Search {
        interests: KEYWORDS.map(keyword_digest).to_vec(),
    };
    let hits: Vec<Hit> = services::call(&node.rpc, doctor, interests).expect("search runs");
    let mut records: Vec<RecordId> = hits.into_iter().map(|hit| hit.record).collect();
    records.sort();
    records
}

/// Hospital 1's records, in publication order, once final.
fn published(node: &Node, alice: &AccountId, count: usize) -> Vec<(RecordId, Record)> {
    wait_for("the records to be final", TIMEOUT, || {
        let page: Vec<(RecordId, Record)> = answer(
            node.rpc
                .at(Some(node.rpc.finalized_head()))
                .records_of(alice, 0u64, 10u32),
        );
        (page.len() == count).then_some(page)
    })
}

#[test]
fn withdrawing_an_authorisation_rotates_the_search_key_for_everyone_else() {
    let nodes = running_founders(TIMEOUT);
    let (node1, node2, node4) = (&nodes[0], &nodes[1], &nodes[3]);
    let (alice, bob, dave) = (
        Sr25519Keyring::Alice.pair(),
        Sr25519Keyring::Bob.pair(),
        Sr25519Keyring::Dave.pair(),
    );
    let bobs_doctor = sr25519::Pair::from_string("//Bob//doctor//cardiology", None).expect("seed");
    let daves_doctor =
        sr25519::Pair::from_string("//Dave//doctor//cardiology", None).expect("seed");
    let patient = sr25519::Pair::from_string("//patient//rotation", None).expect("seed");
    let mut rng = seeded_rng(*b"medchain/tests/search-key-rotate");
    let tables = EncryptionTables::new(&dev_kgc::setup().0);

    for (node, hospital, doctor) in [(node2, &bob, &bobs_doctor), (node4, &dave, &daves_doctor)] {
        tx::add_doctor(&node.rpc, hospital, doctor);
        tx::authorize(&node1.rpc, &alice, hospital, &mut rng);
    }
    let upload = |rng: &mut _| {
        services::upload(
            &node1.rpc,
            &patient,
            &tables,
            (POLICY, Epoch::new(0)),
            &KEYWORDS,
            b"NT-proBNP 4100 pg/mL",
            rng,
        )
        .expect("hospital 1 takes the upload");
    };
    upload(&mut rng);
    let before = published(node1, &account(&alice), 1)[0].0;
    wait_for("both doctors to find the first record", TIMEOUT, || {
        (search(node2, &bobs_doctor) == [before] && search(node4, &daves_doctor) == [before])
            .then_some(())
    });

    // Hospital 1 withdraws hospital 2: its key epoch moves to 1 and its node renews hospital 4's
    // grant with the new key, unasked.
    submit_accepted(
        &node1.rpc,
        &alice,
        RuntimeCall::Hospitals(pallet_hospitals::Call::withdraw { to: account(&bob) }),
    );
    let grants = wait_for("hospital 4's grant to carry key epoch 1", TIMEOUT, || {
        let grants: Vec<(AccountId, u32, KeyEpoch)> = answer(
            node2
                .rpc
                .at(Some(node2.rpc.finalized_head()))
                .grants_by(&account(&alice)),
        );
        grants
            .iter()
            .all(|(_, _, epoch)| *epoch == KeyEpoch::new(1))
            .then_some(grants)
    });
    assert_eq!(grants, vec![(account(&dave), 1_000_000, KeyEpoch::new(1))]);

    // A record uploaded now is indexed under key epoch 1.
    upload(&mut rng);
    let records = published(node1, &account(&alice), 2);
    let after = records[1].0;
    let indices: Vec<Index> = records
        .iter()
        .map(|(_, record)| Index::decode(&mut &record.index[..]).expect("an index"))
        .collect();
    assert_eq!(
        indices
            .iter()
            .map(|i| i.key_epoch.get())
            .collect::<Vec<_>>(),
        [0, 1]
    );

    // Hospital 4's doctor finds both; hospital 2's node searches hospital 1 no more, and the
    // epoch-0 key it kept tests the old index but not the new one.
    wait_for("hospital 4's doctor to find both records", TIMEOUT, || {
        (search(node4, &daves_doctor) == [before, after]).then_some(())
    });
    assert!(search(node2, &bobs_doctor).is_empty());
    let kept = PreparedQuery::new(
        &hospital_keys::search_key(&alice, KeyEpoch::new(0)),
        &Trapdoor::new(&KEYWORDS).expect("a trapdoor"),
    );
    assert!(kept.matches(&indices[0]));
    assert!(
        !kept.matches(&indices[1]),
        "the withdrawn hospital's key does not test indices built after the withdrawal"
    );
}
