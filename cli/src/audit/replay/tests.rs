//! The whole replay against the in-process fake node ([`medchain_client::light::fake_node`]). Each test
//! serves the chain intact or with one part altered, and checks the finding that names the
//! altered block.

use super::*;
use crate::audit::findings::Severity;
use medchain_client::light::fake_node::{serve, FakeChain, Tamper, LAST};
use medchain_types::RecordId;

async fn audit(tamper: Tamper) -> Audit {
    let (url, server) = serve(FakeChain::new(tamper)).await;
    let client = NodeClient::connect(&url).await.expect("connects");
    let options = ReplayOptions {
        concurrency: 4,
        genesis: None,
        rules: RuleConfig::default(),
        thresholds: Thresholds::default(),
    };
    let audit = replay(&client, &url, &options, Output::Json)
        .await
        .expect("the replay runs to the end");
    server.stop().expect("stops");
    audit
}

fn integrity(audit: &Audit) -> Vec<(Kind, BlockNumber)> {
    audit
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Integrity)
        .map(|f| (f.kind, f.block))
        .collect()
}

#[tokio::test]
async fn audit_replay_of_an_intact_chain_proves_it_and_judges_its_history() {
    let audit = audit(Tamper::default()).await;
    assert_eq!(integrity(&audit), Vec::new());
    assert_eq!(
        audit.summary.finality,
        FinalityEvidence::StoredJustification
    );
    assert_eq!(audit.summary.proven_final_up_to, Some(LAST));
    assert_eq!(audit.summary.justifications_verified, 1);
    assert_eq!(audit.history.tree_depth, Some(2));
    assert_eq!(
        audit
            .history
            .entries
            .iter()
            .map(|e| e.block)
            .collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    // Bob's access to Charlie's record, which nothing authorised, is a violation at block 4.
    let violation = audit
        .findings
        .iter()
        .find(|f| f.severity == Severity::Violation)
        .expect("a violation");
    assert_eq!(
        (violation.kind, violation.block, violation.record),
        (Kind::AccessWithoutAuthorization, 4, Some(RecordId::new(0)))
    );
    assert!(!audit.summary.tally.passed());
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_header() {
    let audit = audit(Tamper {
        header: Some(3),
        ..Tamper::default()
    })
    .await;
    let found = integrity(&audit);
    assert!(found.contains(&(Kind::HeaderHashMismatch, 3)), "{found:?}");
    assert!(found.contains(&(Kind::ParentHashMismatch, 4)), "{found:?}");
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_body() {
    let audit = audit(Tamper {
        body: Some(2),
        ..Tamper::default()
    })
    .await;
    assert_eq!(integrity(&audit), vec![(Kind::ExtrinsicsRootMismatch, 2)]);
}

#[tokio::test]
async fn audit_replay_detects_a_tampered_justification() {
    let audit = audit(Tamper {
        justification: true,
        ..Tamper::default()
    })
    .await;
    assert_eq!(
        integrity(&audit),
        vec![
            (Kind::BadJustification, LAST),
            (Kind::FinalityUnproven, LAST)
        ]
    );
    assert_eq!(audit.summary.finality, FinalityEvidence::Unproven);
    let bad = &audit.findings[0];
    assert!(bad.message.contains("invalid signature"), "{}", bad.message);
}

#[tokio::test]
async fn audit_replay_detects_made_up_events() {
    let audit = audit(Tamper {
        events: Some(4),
        ..Tamper::default()
    })
    .await;
    assert_eq!(integrity(&audit), vec![(Kind::StateProofInvalid, 4)]);
    // The made-up events are not in the history.
    assert!(audit.history.entries.iter().all(|e| e.block != 4));
}
