//! The journal survives crashes and damage: cut at every byte, bytes
//! flipped, a resume after each cut. Every account whose line was complete
//! survives, damage costs at most the damaged line's account, nothing
//! panics, and a resume never glues a record onto a cut line.

use auditscope::journal::{self, Journal, Read, Tail};
use auditscope::model::{Account, Organization};
use std::collections::BTreeSet;
use std::path::Path;

const IDS: [&str; 3] = ["111111111111", "222222222222", "333333333333"];

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        // Multi-byte characters, so cuts fall inside UTF-8 sequences too.
        name: Some(format!("café-{id}-東京")),
        regions: vec!["us-east-1".into(), "ap-northeast-1".into()],
        ..Default::default()
    }
}

fn organization() -> Organization {
    Organization {
        id: "o-example0000".into(),
        management_account_id: IDS[0].into(),
        ..Default::default()
    }
}

/// A complete journal of three accounts, and the byte offset at which each
/// line ends (after its newline): the scan line, the three accounts, the end.
fn journal_bytes(dir: &Path) -> (Vec<u8>, Vec<usize>) {
    let path = dir.join("full.jsonl");
    let mut journal = Journal::create(
        &path,
        Some("aws".into()),
        Some("2026-11-20T12:00:00Z".into()),
        Some(organization()),
        IDS.iter().map(|s| s.to_string()).collect(),
    )
    .expect("create");
    for id in IDS {
        journal.account(&account(id), &[]).expect("append");
    }
    journal.finish(None).expect("finish");
    let bytes = std::fs::read(&path).expect("read back");
    let ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(ends.len(), 5);
    (bytes, ends)
}

fn ids(read: &Read) -> BTreeSet<String> {
    read.snapshot
        .accounts
        .iter()
        .map(|a| a.id.clone())
        .collect()
}

/// Reads `path` whole, and also with its accounts spooled
/// (`journal::read_spooled`, every stub then read back): both must give
/// the same snapshot, accounts, warnings and tail, or the same error.
fn read(path: &Path) -> Result<Read, journal::JournalError> {
    let whole = journal::read(path);
    let dir = path.parent().expect("a directory");
    match (&whole, journal::read_spooled(path, dir)) {
        (Ok(whole), Ok((mut spooled_read, spooled))) => {
            spooled
                .fill(&mut spooled_read.snapshot)
                .expect("stubs read back");
            assert_eq!(spooled_read.snapshot, whole.snapshot, "{}", path.display());
            assert_eq!(spooled_read.done, whole.done);
            assert_eq!(spooled_read.warnings, whole.warnings);
            assert_eq!(spooled_read.tail, whole.tail);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("whole {a:?}, spooled {:?}", b.map(|(r, _)| r)),
    }
    whole
}

/// Appends the accounts the journal lacks and ends it, as `--resume` does.
fn resume(path: &Path) -> Read {
    let (mut journal, so_far) = Journal::resume(path).expect("resume");
    for id in IDS.iter().filter(|id| !so_far.done.contains(**id)) {
        journal.account(&account(id), &[]).expect("append");
    }
    journal.finish(None).expect("finish");
    journal::read(path).expect("read after resume")
}

#[test]
fn a_journal_cut_at_any_byte_keeps_every_complete_account_and_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (bytes, line_ends) = journal_bytes(dir.path());
    let (scan_end, ends) = (line_ends[0], &line_ends[1..4]);
    let path = dir.path().join("cut.jsonl");
    for cut in 0..bytes.len() {
        std::fs::write(&path, &bytes[..cut]).expect("write");
        let complete: BTreeSet<String> = IDS
            .iter()
            .zip(ends)
            .filter(|(_, &end)| end <= cut)
            .map(|(id, _)| id.to_string())
            .collect();
        match read(&path) {
            Ok(read) => {
                assert!(
                    ids(&read).is_superset(&complete),
                    "cut at {cut}: lost {:?}",
                    complete.difference(&ids(&read)).collect::<Vec<_>>()
                );
                assert_eq!(
                    read.snapshot.partial,
                    read.done.len() < IDS.len(),
                    "cut at {cut}"
                );
            }
            // Only a journal cut inside its first (scan) line may be refused.
            Err(e) => assert!(cut < scan_end - 1, "cut at {cut}: {e}"),
        }
    }
    // Resume after cuts at and around every line boundary and inside
    // lines: the result always holds every account, each once, and no
    // line is damaged.
    let mut offsets: BTreeSet<usize> = ends
        .iter()
        .flat_map(|&e| e.saturating_sub(3)..(e + 3).min(bytes.len()))
        .collect();
    offsets.extend((scan_end..bytes.len()).step_by(97));
    for cut in offsets.into_iter().filter(|&c| c >= scan_end - 1) {
        std::fs::write(&path, &bytes[..cut]).expect("write");
        let read = resume(&path);
        assert_eq!(ids(&read).len(), IDS.len(), "resume after cut at {cut}");
        assert!(!read.snapshot.partial, "resume after cut at {cut}");
        assert!(
            read.warnings.is_empty(),
            "cut at {cut}: {:?}",
            read.warnings
        );
        assert_eq!(read.tail, Tail::Terminated);
        // Resuming again changes nothing.
        let again = resume(&path);
        assert_eq!(ids(&again), ids(&read));
    }
}

#[test]
fn a_damaged_line_costs_at_most_its_own_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (bytes, ends) = journal_bytes(dir.path());
    let path = dir.path().join("flipped.jsonl");
    // Damage every byte of the middle account's line in turn, three ways.
    let (start, end) = (ends[1], ends[2]);
    for at in start..end {
        for damage in [0xFF_u8, b'"', b'\n'] {
            let mut damaged = bytes.clone();
            damaged[at] = damage;
            std::fs::write(&path, &damaged).expect("write");
            let read = read(&path).unwrap_or_else(|e| panic!("byte {at} = {damage:#x}: {e}"));
            for id in [IDS[0], IDS[2]] {
                assert!(read.done.contains(id), "byte {at} = {damage:#x} lost {id}");
            }
            // Resuming collects what was lost and leaves a clean journal.
            let resumed = resume(&path);
            assert!(ids(&resumed).is_superset(&IDS.iter().map(|s| s.to_string()).collect()));
        }
    }
}

#[test]
fn a_record_glued_onto_a_cut_line_is_recovered() {
    // What resuming did before it removed cut lines: the case of
    // ../shared/cases/hardening/journal-cut-then-appended.jsonl.
    let dir = tempfile::tempdir().expect("tempdir");
    let (bytes, ends) = journal_bytes(dir.path());
    let mut glued = bytes[..ends[1] + 40].to_vec();
    glued.extend_from_slice(&bytes[ends[1]..]);
    let path = dir.path().join("glued.jsonl");
    std::fs::write(&path, &glued).expect("write");
    let read = read(&path).expect("read");
    assert_eq!(ids(&read).len(), IDS.len());
    assert!(
        read.warnings.iter().any(|w| w.contains("glued")),
        "{:?}",
        read.warnings
    );
}

#[test]
fn journal_accounts_are_validated_like_snapshots() {
    // ../shared/cases/hardening/journal-traversal.jsonl: ids that would be
    // file paths are refused, with the line named.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traversal.jsonl");
    std::fs::write(
        &path,
        concat!(
            r#"{"kind":"scan","schema_version":1,"source":"aws","collected_at":"2026-11-20T12:00:00Z","organization":{"id":"o-example0000","management_account_id":"111111111111"},"planned":[]}"#,
            "\n",
            r#"{"kind":"account","account":{"id":"../../TRAVERSAL","regions":["us-east-1"]},"errors":[]}"#,
            "\n",
            r#"{"kind":"account","account":{"id":"111111111111","regions":["us-east-1"]},"errors":[]}"#,
            "\n"
        ),
    )
    .expect("write");
    let read = journal::read(&path).expect("read");
    assert_eq!(ids(&read), BTreeSet::from(["111111111111".to_owned()]));
    assert!(
        read.warnings
            .iter()
            .any(|w| w.contains(":2:") && w.contains("not 12 digits")),
        "{:?}",
        read.warnings
    );
}
