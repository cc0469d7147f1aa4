//! A JSON snapshot read one account at a time, so that evaluating an
//! organization of any size holds a batch of accounts, not all of them.
//!
//! [`Spooled::read`] streams the file once. Each account is parsed,
//! validated and normalized as [`crate::collect::mock::load`] would, its
//! text is copied to a spool file (an unnamed temporary file, gone when
//! the process ends however it ends), and only a *stub* is kept: the
//! account without its region facts. Trails, buckets, keys and the
//! account's regions stay, because every account's evaluation may read
//! them (trail buckets, keys and owners, `trails_by_log_group`).
//!
//! Some accounts are kept whole, because other accounts' evaluations read
//! their region facts:
//! - every account named in an ARN of another account's trails or region
//!   facts (the log group a trail or flow log delivers to, an alarm's SNS
//!   topic, a rule's target), found by reading the ARNs of the serialized
//!   facts, so no field can be forgotten;
//! - an account holding a log group or SNS topic whose ARN names another
//!   account (lookups are by ARN);
//! - the management account (organization trails and event data stores),
//!   the delegated administrators (GuardDuty detectors, Security Hub), and
//!   every Security Lake data lake holder (each region's lake serves every
//!   account).
//!
//! The regions where a stub's Security Lake was not read are kept too
//! ([`Spooled::unread_lakes`]). The engine ([`crate::engine::run_from`])
//! loads each batch's stubs whole with [`Spooled::load`] and records any
//! lookup that needed a stub's region facts; the scan stops on one
//! rather than give another verdict than the whole snapshot would.
//!
//! Anything unusual (a syntax or validation error, a file over
//! [`crate::input::MAX_DOCUMENT_BYTES`]) makes [`Spooled::read`] answer
//! `None`: the caller reads the file whole, which reports the problem with
//! its line and column.

use crate::model::{Account, CollectionError, Organization, Snapshot};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

/// The accounts of a snapshot held as stubs ([`Spooled::stubs`]), on
/// disk.
pub struct Spooled {
    /// The accounts held as stubs.
    pub stubs: HashSet<String>,
    /// Regions where some stub's Security Lake was not read.
    pub unread_lakes: BTreeSet<String>,
    spool: Mutex<File>,
    /// Each account's text in the spool: where it is and what it holds.
    places: HashMap<String, Place>,
}

/// Where an account's text is in the spool, and in which form.
#[derive(Debug, Clone, Copy)]
struct Place {
    offset: u64,
    /// In bytes.
    len: usize,
    format: Format,
}

/// What the spool holds of each account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The account's JSON (a snapshot's `accounts` element).
    Account,
    /// The journal line holding the account (`crate::journal`).
    JournalLine,
}

/// Spools accounts as a reader goes through snapshots or journals
/// ([`Spooler::add`]), then decides which to keep whole
/// ([`Spooler::finish`]). One spooler may read several files (the shards
/// of a merge): which accounts other accounts' evaluations read is then
/// decided over all of them.
pub struct Spooler {
    spool: File,
    writer: BufWriter<File>,
    pass: Pass,
}

impl Spooler {
    /// A spool in an unnamed temporary file in `dir`.
    pub fn new(dir: &Path) -> std::io::Result<Spooler> {
        let spool = tempfile::tempfile_in(dir)?;
        let writer = BufWriter::with_capacity(1 << 20, spool.try_clone()?);
        Ok(Spooler {
            spool,
            writer,
            pass: Pass::default(),
        })
    }

    /// Notes the accounts `organization` gives roles that other accounts'
    /// evaluations read (management, delegated administrators), so that
    /// [`Spooler::add`] keeps them whole at once.
    pub fn expect(&mut self, organization: Option<&Organization>) {
        if let Some(org) = organization {
            self.pass.keep.insert(org.management_account_id.clone());
            self.pass.keep.extend(
                org.delegated_administrators
                    .iter()
                    .map(|d| d.account_id.clone()),
            );
        }
    }

    /// Spools `text`, the record `account` was read from (validated and
    /// normalized; `format` says what the record is), and returns the
    /// account's stub; or the account whole when it is already known that
    /// other accounts' evaluations read it (it is not spooled then). A
    /// later record of the same account replaces the earlier one.
    pub fn add(
        &mut self,
        account: Account,
        text: &[u8],
        format: Format,
    ) -> std::io::Result<Account> {
        let learned = Learned::of(&account);
        self.add_learned(account, learned, text, format)
    }

    /// [`Spooler::add`], with what `account` tells of other accounts
    /// already read from it (so that it can be read on another thread).
    fn add_learned(
        &mut self,
        mut account: Account,
        learned: Learned,
        text: &[u8],
        format: Format,
    ) -> std::io::Result<Account> {
        self.pass.learn(&account.id, learned);
        if self.pass.keep.contains(&account.id) || self.pass.named.contains(&account.id) {
            self.pass.places.remove(&account.id);
            return Ok(account);
        }
        self.writer.write_all(text)?;
        let place = Place {
            offset: self.pass.offset,
            len: text.len(),
            format,
        };
        self.pass.offset += text.len() as u64;
        self.pass.places.insert(account.id.clone(), place);
        account.region_facts = Vec::new();
        account.api_calls = Default::default();
        Ok(account)
    }

    /// Holds `account` whole (a record that cannot be spooled, such as one
    /// recovered from a damaged journal line), replacing what was spooled
    /// of an earlier record of it.
    pub fn keep_whole(&mut self, account: Account) -> Account {
        self.pass.learn(&account.id, Learned::of(&account));
        self.pass.places.remove(&account.id);
        account
    }

    /// Keeps whole the accounts of `snapshot` (read, validated and
    /// normalized, with the stubs [`Spooler::add`] gave) that other
    /// accounts' evaluations read, reading them back; the others stay
    /// stubs.
    pub fn finish(mut self, snapshot: &mut Snapshot) -> std::io::Result<Spooled> {
        // Also when the organization came after the accounts.
        self.expect(snapshot.organization.as_ref());
        self.writer.flush()?;
        drop(self.writer);
        let Pass {
            places,
            named,
            mut keep,
            unread_lakes,
            ..
        } = self.pass;
        keep.extend(named);
        let unread_lakes = snapshot
            .accounts
            .iter()
            .filter_map(|a| unread_lakes.get(&a.id))
            .flatten()
            .cloned()
            .collect();
        let mut spooled = Spooled {
            stubs: HashSet::new(),
            unread_lakes,
            spool: Mutex::new(self.spool),
            places,
        };
        for account in &mut snapshot.accounts {
            if !spooled.places.contains_key(&account.id) {
                continue;
            }
            if keep.contains(&account.id) {
                *account = spooled
                    .read_back(&account.id)
                    .map_err(std::io::Error::other)?;
            } else {
                spooled.stubs.insert(account.id.clone());
            }
        }
        Ok(spooled)
    }
}

/// Snapshots and journals merged as [`crate::journal::merge`] merges
/// them, read one account at a time ([`merge_files`]).
pub struct Merged {
    /// The merged snapshot, with stubs for the accounts spooled.
    pub snapshot: Snapshot,
    pub spooled: Spooled,
    /// What reading the journals had to skip or repair, one sentence each.
    pub warnings: Vec<String>,
    /// The journals that hold an interrupted scan.
    pub partial: Vec<std::path::PathBuf>,
}

/// Reads the snapshots and journals at `paths` (the shards of an
/// organization scan) with one spooler in `spool_dir`, and merges them
/// ([`crate::journal::merge`]): the merged snapshot holds stubs, and
/// which accounts other accounts' evaluations read is decided over every
/// file, so that an account of one shard named by another shard's facts
/// (a central log group, an alarm topic) is kept whole. YAML files and
/// mock worlds are small and read whole.
///
/// `Ok(None)`: some file is to be read whole (it is not a plain valid
/// snapshot or journal), and so is every other: the whole reader reports
/// the problem with its line and column. `Err`: the files cannot be
/// merged (two organizations), or the spool cannot be created or read
/// back.
pub fn merge_files(
    paths: &[std::path::PathBuf],
    spool_dir: &Path,
) -> Result<Option<Merged>, String> {
    // A spool that cannot be written is an error, not a reason to read
    // every shard whole: that would take the memory of the whole
    // organization without a word.
    let spool_error = |e: std::io::Error| {
        format!(
            "cannot write the snapshot spool in {}: {e}",
            spool_dir.display()
        )
    };
    let mut spooler = Spooler::new(spool_dir).map_err(spool_error)?;
    let mut parts = Vec::with_capacity(paths.len());
    let mut warnings = Vec::new();
    let mut partial = Vec::new();
    for path in paths {
        let part = if crate::journal::is_journal(path) {
            let Ok(read) = crate::journal::read_into(path, &mut spooler) else {
                return Ok(None);
            };
            warnings.extend(read.warnings);
            if read.snapshot.partial {
                partial.push(path.clone());
            }
            read.snapshot
        } else if crate::input::is_json(path) {
            let Ok(Some(snapshot)) = Spooled::read_into(path, &mut spooler) else {
                return Ok(None);
            };
            snapshot
        } else {
            let Ok(mut whole) = crate::collect::mock::load(path) else {
                return Ok(None);
            };
            whole.accounts = whole
                .accounts
                .into_iter()
                .map(|a| spooler.keep_whole(a))
                .collect();
            whole
        };
        parts.push((path.as_path(), part));
    }
    let mut snapshot = crate::journal::merge(parts)?;
    let spooled = spooler.finish(&mut snapshot).map_err(spool_error)?;
    Ok(Some(Merged {
        snapshot,
        spooled,
        warnings,
        partial,
    }))
}

/// Reading back a spooled account failed: the spool file could not be
/// read, or no longer holds what was written (a bug or a failing disk).
#[derive(Debug, thiserror::Error)]
#[error("cannot read account {account} back from the snapshot spool: {reason}")]
pub struct LoadError {
    pub account: String,
    pub reason: String,
}

/// What the first pass learns of each account beyond its stub.
#[derive(Default)]
struct Pass {
    places: HashMap<String, Place>,
    /// Accounts some other account's facts name.
    named: BTreeSet<String>,
    /// Accounts to keep whole whatever names them.
    keep: BTreeSet<String>,
    /// Per account (its last record), the regions where its Security Lake
    /// was not read.
    unread_lakes: HashMap<String, Vec<String>>,
    /// Where the next account's text goes.
    offset: u64,
}

impl Spooled {
    /// Reads the JSON snapshot at `path`, spooling its accounts in a
    /// temporary file in `spool_dir`: the snapshot (every account, in
    /// canonical order, stubs for those in [`Spooled::stubs`]) and where
    /// its stubs are. `Ok(None)`: read the file whole instead (it is not a
    /// plain valid JSON snapshot, or too large); an `Err` is a failure to
    /// read the file or write the spool.
    pub fn read(path: &Path, spool_dir: &Path) -> std::io::Result<Option<(Snapshot, Spooled)>> {
        let mut spooler = Spooler::new(spool_dir)?;
        let Some(mut snapshot) = Spooled::read_into(path, &mut spooler)? else {
            return Ok(None);
        };
        let spooled = spooler.finish(&mut snapshot)?;
        Ok(Some((snapshot, spooled)))
    }

    /// [`Spooled::read`] with a spooler that may read other files too
    /// (see [`Spooler`]): the snapshot with stubs for the accounts
    /// spooled, before [`Spooler::finish`]. `Ok(None)` when the file is to
    /// be read whole; the spooler may then have spooled some of its
    /// accounts, so that a caller that reads it whole must read every
    /// other file whole too, or hold the accounts read with
    /// [`Spooler::keep_whole`].
    pub fn read_into(path: &Path, spooler: &mut Spooler) -> std::io::Result<Option<Snapshot>> {
        if !crate::input::is_json(path) || crate::journal::is_journal(path) {
            return Ok(None);
        }
        let file = File::open(path)?;
        if file.metadata()?.len() > crate::input::MAX_DOCUMENT_BYTES || !path.is_file() {
            return Ok(None);
        }
        let mut snapshot = Snapshot::default();
        let mut io_error = None;
        let read = {
            let mut reader =
                serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
            let visitor = Top {
                snapshot: &mut snapshot,
                spooler: &mut *spooler,
                io_error: &mut io_error,
            };
            de::Deserializer::deserialize_map(&mut reader, visitor).and_then(|()| reader.end())
        };
        if let Some(error) = io_error {
            return Err(error);
        }
        if read.is_err() {
            return Ok(None);
        }
        // The checks of the whole snapshot: its fields, duplicate accounts
        // and buckets. Each account passed its own on the way.
        if !snapshot.validate().is_empty() {
            return Ok(None);
        }
        snapshot.normalize();
        Ok(Some(snapshot))
    }

    /// The accounts of `accounts` (consecutive accounts of the snapshot
    /// [`Spooled::read`] gave) whole: stubs are read back from the spool
    /// on every core ([`Spooled::read_back`]); the others are copied.
    pub fn load(&self, accounts: &[Account]) -> Result<Vec<Account>, LoadError> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        on_every_core(accounts, workers, |account| {
            match self.stubs.contains(&account.id) {
                true => self.read_back(&account.id),
                false => Ok(account.clone()),
            }
        })
        .ok_or_else(|| LoadError {
            account: String::new(),
            reason: "a reading thread stopped".into(),
        })?
        .into_iter()
        .collect()
    }

    /// Makes `snapshot` (the one [`Spooled::read`] gave) whole: every stub
    /// read back.
    pub fn fill(&self, snapshot: &mut Snapshot) -> Result<(), LoadError> {
        snapshot.accounts = self.load(&snapshot.accounts)?;
        Ok(())
    }

    /// Writes `snapshot` (the one [`Spooled::read`] or a merge of spooled
    /// files gave) to `out` as pretty-printed JSON, byte for byte as
    /// `serde_json::to_writer_pretty` writes the whole snapshot, reading
    /// its stubs back a few at a time: memory holds one chunk of accounts,
    /// whatever the snapshot's size. Errors: writing `out`, or reading the
    /// spool back ([`LoadError`], as an I/O error).
    pub fn write_whole<W: Write>(&self, snapshot: &Snapshot, out: W) -> std::io::Result<()> {
        // Naming every field makes a field added to `Snapshot` a compile
        // error here, not a field silently left out of the file.
        let Snapshot {
            schema_version,
            source,
            collected_at,
            partial,
            organization,
            accounts,
            errors,
        } = snapshot;
        let whole = Whole {
            schema_version,
            source,
            collected_at,
            partial,
            organization,
            accounts: ReadBack {
                spooled: self,
                accounts,
            },
            errors,
        };
        serde_json::to_writer_pretty(out, &whole).map_err(std::io::Error::from)
    }

    /// One account read back from the spool, as [`Spooled::read`] read it
    /// (parsed, [`Account::derive`]d and normalized).
    fn read_back(&self, id: &str) -> Result<Account, LoadError> {
        let fail = |reason: String| LoadError {
            account: id.to_owned(),
            reason,
        };
        let &Place {
            offset,
            len,
            format,
        } = self
            .places
            .get(id)
            .ok_or_else(|| fail("not in the spool".into()))?;
        let mut text = vec![0; len];
        {
            let mut spool = match self.spool.lock() {
                Ok(spool) => spool,
                Err(poisoned) => poisoned.into_inner(),
            };
            spool
                .seek(SeekFrom::Start(offset))
                .and_then(|_| spool.read_exact(&mut text))
                .map_err(|e| fail(e.to_string()))?;
        }
        let mut account: Account = match format {
            Format::Account => serde_json::from_slice(&text).map_err(|e| fail(e.to_string()))?,
            Format::JournalLine => crate::journal::account_of_line(&text).map_err(fail)?,
        };
        // It passed validation when it was spooled: only what validation
        // fills in is needed (its checks cost as much as the parse).
        account.derive();
        account.normalize();
        Ok(account)
    }
}

/// A [`Snapshot`] serialized as its derive does (same fields, same
/// order), with its accounts read back from the spool as they are
/// written.
#[derive(serde::Serialize)]
struct Whole<'s> {
    schema_version: &'s u32,
    source: &'s Option<String>,
    collected_at: &'s Option<String>,
    partial: &'s bool,
    organization: &'s Option<Organization>,
    accounts: ReadBack<'s>,
    errors: &'s Vec<CollectionError>,
}

/// A snapshot's accounts, stubs read back from the spool a chunk at a
/// time (on every core, [`Spooled::load`]).
struct ReadBack<'s> {
    spooled: &'s Spooled,
    accounts: &'s [Account],
}

impl serde::Serialize for ReadBack<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq as _};
        let mut seq = serializer.serialize_seq(Some(self.accounts.len()))?;
        for chunk in self.accounts.chunks(64) {
            let loaded = self.spooled.load(chunk).map_err(S::Error::custom)?;
            for account in &loaded {
                seq.serialize_element(account)?;
            }
        }
        seq.end()
    }
}

/// The snapshot's top-level object: its fields as [`Snapshot`]'s derive
/// reads them, `accounts` a few at a time ([`READ_AHEAD`]).
struct Top<'p> {
    snapshot: &'p mut Snapshot,
    spooler: &'p mut Spooler,
    io_error: &'p mut Option<std::io::Error>,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            }
            match key.as_str() {
                "schema_version" => self.snapshot.schema_version = map.next_value()?,
                "source" => self.snapshot.source = map.next_value()?,
                "collected_at" => self.snapshot.collected_at = map.next_value()?,
                "partial" => self.snapshot.partial = map.next_value()?,
                "organization" => {
                    self.snapshot.organization = map.next_value::<Option<Organization>>()?
                }
                "errors" => self.snapshot.errors = map.next_value::<Vec<CollectionError>>()?,
                "accounts" => map.next_value_seed(Accounts {
                    organization: self.snapshot.organization.as_ref(),
                    accounts: &mut self.snapshot.accounts,
                    spooler: &mut *self.spooler,
                    io_error: &mut *self.io_error,
                })?,
                other => return Err(de::Error::unknown_field(other, &[])),
            }
        }
        Ok(())
    }
}

/// The `accounts` list, spooled [`READ_AHEAD`] accounts at a time.
struct Accounts<'p> {
    /// The snapshot's organization, when it came before its accounts.
    organization: Option<&'p Organization>,
    accounts: &'p mut Vec<Account>,
    spooler: &'p mut Spooler,
    io_error: &'p mut Option<std::io::Error>,
}

impl<'de> DeserializeSeed<'de> for Accounts<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Accounts<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of accounts")
    }

    /// The accounts' texts are taken [`READ_AHEAD`] at a time; each
    /// chunk is parsed, validated and learned from on up to as many
    /// threads as cores, then spooled in order. A chunk is read whole
    /// before any of it is spooled: a syntax error late in it sends the
    /// file to the whole reader (`Ok(None)`) before a failure to write
    /// the spool for an earlier account could be seen.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spooler.expect(self.organization);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut texts: Vec<Box<serde_json::value::RawValue>> = Vec::with_capacity(READ_AHEAD);
        loop {
            let next = seq.next_element::<Box<serde_json::value::RawValue>>()?;
            let last = next.is_none();
            texts.extend(next);
            if texts.len() < READ_AHEAD && !last {
                continue;
            }
            let parsed = on_every_core(&texts, workers, |text| {
                let mut account: Account = serde_json::from_str(text.get()).ok()?;
                if !account.validate().is_empty() {
                    return None;
                }
                account.normalize();
                let learned = Learned::of(&account);
                Some((account, learned))
            })
            .ok_or_else(|| de::Error::custom("a parsing thread stopped"))?;
            for (text, parsed) in texts.drain(..).zip(parsed) {
                // The reader of the whole file tells what is wrong, and where.
                let Some((account, learned)) = parsed else {
                    return Err(de::Error::custom("invalid account"));
                };
                // A repeated account is found by the snapshot's validation.
                match self.spooler.add_learned(
                    account,
                    learned,
                    text.get().as_bytes(),
                    Format::Account,
                ) {
                    Ok(stub) => self.accounts.push(stub),
                    Err(e) => {
                        *self.io_error = Some(e);
                        return Err(de::Error::custom("cannot write the spool"));
                    }
                }
            }
            if last {
                return Ok(());
            }
        }
    }
}

/// How many accounts' texts a snapshot's reader holds before it parses
/// them, so that parsing runs on several cores (up to this many) while
/// at most this many accounts' texts, and as many parsed accounts, are in
/// memory besides the stubs.
const READ_AHEAD: usize = 16;

/// `each` of every item of `items`, in order, computed on `workers`
/// threads (one contiguous chunk each); `None` when a thread panicked.
fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    each: impl Fn(&T) -> R + Sync,
) -> Option<Vec<R>> {
    if workers <= 1 || items.len() <= 1 {
        return Some(items.iter().map(each).collect());
    }
    let size = items.len().div_ceil(workers);
    std::thread::scope(|threads| {
        let each = &each;
        let jobs: Vec<_> = items
            .chunks(size)
            .map(|chunk| threads.spawn(move || chunk.iter().map(each).collect::<Vec<R>>()))
            .collect();
        // Every thread joined, so that the scope never panics for one
        // that was not.
        let parts: Vec<Option<Vec<R>>> = jobs.into_iter().map(|job| job.join().ok()).collect();
        let mut all = Vec::with_capacity(items.len());
        for part in parts {
            all.extend(part?);
        }
        Some(all)
    })
}

/// What one account's facts tell of other accounts' evaluations
/// ([`Pass::learn`]).
struct Learned {
    /// Other accounts read this account's region facts whatever names it:
    /// it holds a Security Lake data lake, or a log group or SNS topic
    /// whose ARN names another account.
    keep: bool,
    /// The regions where its Security Lake was not read.
    unread: Vec<String>,
    /// The other accounts named in the ARNs of its trails and region facts.
    named: BTreeSet<String>,
}

impl Learned {
    fn of(account: &Account) -> Learned {
        let own = account.id.as_str();
        let mut keep = false;
        let mut unread = Vec::new();
        for facts in &account.region_facts {
            match &facts.security_lake {
                Some(lake) if lake.data_lake.is_some() => keep = true,
                Some(_) => {}
                None => unread.push(facts.region.clone()),
            }
            keep |= facts
                .log_groups
                .iter()
                .map(|g| g.arn.as_str())
                .chain(facts.sns_topics.iter().map(|t| t.arn.as_str()))
                .any(|arn| crate::model::arn_account(arn) != Some(own));
        }
        let mut scratch = Vec::new();
        // Serializing plain data to memory cannot fail; if it did, every
        // account it names would be missed, and the engine would stop on
        // the first lookup that needed one.
        let _ = serde_json::to_writer(&mut scratch, &account.trails);
        let _ = serde_json::to_writer(&mut scratch, &account.region_facts);
        let named = arn_accounts(&scratch)
            .filter(|named| *named != own)
            .map(str::to_owned)
            .collect();
        Learned {
            keep,
            unread,
            named,
        }
    }
}

impl Pass {
    /// Notes what other accounts' evaluations need of account `own`.
    fn learn(&mut self, own: &str, learned: Learned) {
        if learned.keep {
            self.keep.insert(own.to_owned());
        }
        self.unread_lakes.insert(own.to_owned(), learned.unread);
        self.named.extend(learned.named);
    }
}

/// The account ids in the ARNs of `text` (serialized JSON): the fifth
/// field of every `arn:partition:service:region:account:...` whose
/// account is 12 digits.
fn arn_accounts(text: &[u8]) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(found) = text[at..].windows(4).position(|w| w == b"arn:") {
            let start = at + found;
            at = start + 4;
            let end = text[start..]
                .iter()
                .position(|b| *b == b'"')
                .map_or(text.len(), |e| start + e);
            let arn = &text[start..end];
            let Some(account) = arn.split(|b| *b == b':').nth(4) else {
                continue;
            };
            if account.len() == 12 && account.iter().all(u8::is_ascii_digit) {
                return std::str::from_utf8(account).ok();
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mock/acme` as one JSON snapshot file in `dir`.
    fn acme_json(dir: &Path) -> (std::path::PathBuf, Snapshot) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let snapshot = crate::collect::mock::load(&root.join("mock/acme")).expect("acme loads");
        let path = dir.join("acme.json");
        std::fs::write(&path, serde_json::to_vec(&snapshot).expect("serializes")).expect("written");
        (path, snapshot)
    }

    #[test]
    fn only_accounts_no_other_account_needs_are_stubs_and_they_read_back_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, whole) = acme_json(dir.path());
        let (mut snapshot, spooled) = Spooled::read(&path, dir.path())
            .expect("reads")
            .expect("a plain valid snapshot");
        let stubs: BTreeSet<&str> = spooled.stubs.iter().map(String::as_str).collect();
        let mut kept: Vec<String> = whole
            .accounts
            .iter()
            .filter(|a| !spooled.stubs.contains(&a.id))
            .map(|a| format!("{} {:?}", a.id, a.name))
            .collect();
        kept.sort();
        // The management account (organization trail, its log group and
        // alarms) and the delegated administrator are kept whole; the
        // plain members are stubs.
        assert!(
            !stubs.is_empty() && kept.len() >= 2,
            "stubs {stubs:?}, kept {kept:?}"
        );
        let management = whole
            .organization
            .as_ref()
            .expect("acme is an organization");
        assert!(!stubs.contains(management.management_account_id.as_str()));
        for account in &snapshot.accounts {
            assert_eq!(
                account.region_facts.is_empty(),
                stubs.contains(account.id.as_str()) || account.region_facts.is_empty(),
            );
        }
        assert!(snapshot
            .accounts
            .iter()
            .any(|a| stubs.contains(a.id.as_str()) && a.region_facts.is_empty()));
        spooled.fill(&mut snapshot).expect("reads back");
        assert_eq!(snapshot, whole, "read back, the snapshot is the whole one");
    }

    #[test]
    fn what_validation_fills_in_is_filled_in_when_read_back() {
        // Trails' owners and home regions and buckets' owners may be left
        // out of a file: validation derives them, and so must reading back.
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, mut bare) = acme_json(dir.path());
        for account in &mut bare.accounts {
            for trail in &mut account.trails {
                trail.owner_account_id.clear();
                trail.home_region.clear();
            }
            for bucket in &mut account.buckets {
                bucket.owner_account_id.clear();
            }
        }
        std::fs::write(&path, serde_json::to_vec(&bare).expect("json")).expect("written");
        let whole = crate::collect::mock::load(&path).expect("loads whole");
        let (mut snapshot, spooled) = Spooled::read(&path, dir.path())
            .expect("reads")
            .expect("a plain valid snapshot");
        assert!(!spooled.stubs.is_empty());
        spooled.fill(&mut snapshot).expect("reads back");
        assert_eq!(snapshot, whole);
    }

    #[test]
    fn a_file_the_usual_reader_would_refuse_is_left_to_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, whole) = acme_json(dir.path());
        let text = std::fs::read_to_string(&path).expect("text");
        let mut twice = whole.clone();
        twice.accounts.push(whole.accounts[0].clone());
        let cases = [
            text.replacen("{", "{\"unknown\":1,", 1),
            serde_json::to_string(&twice).expect("serializes"),
            text.replacen("\"accounts\":[", "\"accounts\":[{\"id\":\"12\"},", 1),
            format!("{text} trailing"),
            text[..text.len() / 2].to_owned(),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert_ne!(case, &text, "case {i} changes the file");
            std::fs::write(&path, case).expect("written");
            assert!(
                Spooled::read(&path, dir.path()).expect("reads").is_none(),
                "case {i}"
            );
        }
    }

    #[test]
    fn a_spooled_snapshot_is_written_byte_for_byte_as_the_whole_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, whole) = acme_json(dir.path());
        let (snapshot, spooled) = Spooled::read(&path, dir.path())
            .expect("reads")
            .expect("a plain valid snapshot");
        assert!(!spooled.stubs.is_empty());
        let mut written = Vec::new();
        spooled
            .write_whole(&snapshot, &mut written)
            .expect("writes");
        let expected = serde_json::to_string_pretty(&whole).expect("serializes");
        assert_eq!(String::from_utf8(written).expect("utf-8"), expected);
    }

    /// `mock/acme` split into two JSON files: the accounts in `first`
    /// go into the first file, the others into the second.
    fn acme_shards(dir: &Path, first: &[&str]) -> (Vec<std::path::PathBuf>, Snapshot) {
        let (_, whole) = acme_json(dir);
        let mut shards = Vec::new();
        for (i, in_first) in [true, false].into_iter().enumerate() {
            let mut part = whole.clone();
            part.accounts
                .retain(|a| first.contains(&a.id.as_str()) == in_first);
            let path = dir.join(format!("shard-{i}.json"));
            std::fs::write(&path, serde_json::to_vec(&part).expect("json")).expect("written");
            shards.push(path);
        }
        (shards, whole)
    }

    #[test]
    fn shards_merged_one_account_at_a_time_are_the_whole_merge() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (_, whole) = acme_json(dir.path());
        let ids: Vec<&str> = whole.accounts.iter().map(|a| a.id.as_str()).collect();
        let (shards, whole) = acme_shards(dir.path(), &ids[..ids.len() / 2]);
        let merged = merge_files(&shards, dir.path())
            .expect("merges")
            .expect("plain valid shards");
        assert!(!merged.spooled.stubs.is_empty());
        let mut written = Vec::new();
        merged
            .spooled
            .write_whole(&merged.snapshot, &mut written)
            .expect("writes");
        let loaded: Vec<(&Path, Snapshot)> = shards
            .iter()
            .map(|p| (p.as_path(), crate::collect::mock::load(p).expect("loads")))
            .collect();
        let expected = crate::journal::merge(loaded).expect("merges whole");
        assert_eq!(
            String::from_utf8(written).expect("utf-8"),
            serde_json::to_string_pretty(&expected).expect("serializes")
        );
        assert_eq!(expected.accounts, whole.accounts);
    }

    #[test]
    fn an_account_another_shard_names_is_kept_whole_in_either_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, mut whole) = acme_json(dir.path());
        // A plain member (a stub when read alone) whose log group another
        // account's trail delivers to, the two in different shards.
        let (_, alone) = Spooled::read(&path, dir.path())
            .expect("reads")
            .expect("valid");
        let mut members: Vec<String> = alone.stubs.iter().cloned().collect();
        members.sort();
        let (target, naming) = (members[0].clone(), members[1].clone());
        let arn = format!("arn:aws:logs:us-east-1:{target}:log-group:central:*");
        let account = whole
            .accounts
            .iter_mut()
            .find(|a| a.id == naming)
            .expect("member");
        let trail = account.trails.first_mut().expect("a trail");
        trail.cloudwatch_logs_log_group_arn = Some(arn);
        std::fs::write(&path, serde_json::to_vec(&whole).expect("json")).expect("written");
        let (_, alone) = Spooled::read(&path, dir.path())
            .expect("reads")
            .expect("valid");
        assert!(!alone.stubs.contains(&target), "read whole, it is kept");
        for first in [naming.as_str(), target.as_str()] {
            let mut split = whole.clone();
            split.accounts.retain(|a| a.id == first);
            let one = dir.path().join("one.json");
            std::fs::write(&one, serde_json::to_vec(&split).expect("json")).expect("written");
            let mut rest = whole.clone();
            rest.accounts.retain(|a| a.id != first);
            let other = dir.path().join("other.json");
            std::fs::write(&other, serde_json::to_vec(&rest).expect("json")).expect("written");
            let merged = merge_files(&[one, other], dir.path())
                .expect("merges")
                .expect("valid");
            assert!(
                !merged.spooled.stubs.contains(&target),
                "{first} first: {target} is named by {naming} and must be whole"
            );
            assert!(merged.spooled.stubs.len() >= alone.stubs.len());
        }
    }

    #[test]
    fn arn_accounts_reads_the_account_field_of_every_arn() {
        let text = br#"{"a":"arn:aws:logs:us-east-1:111111111111:log-group:x:*","b":["arn:aws:iam::222222222222:role/r","arn:aws:s3:::bucket","arn:aws:sns:eu-west-1:12345:t"],"c":"arn:aws-cn:sns:cn-north-1:333333333333:topic"}"#;
        let found: Vec<&str> = arn_accounts(text).collect();
        assert_eq!(found, ["111111111111", "222222222222", "333333333333"]);
    }
}
